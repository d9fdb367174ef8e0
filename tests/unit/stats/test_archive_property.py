"""Property (issue 13 point 6): once 2023 is closed, any sequence of roster changes (joins with any
入册日期, moves, departures and returns dated any day), user imports, renames and new exams leaves
every read of 2023 byte for byte as it was — the .xlsx, each .csv table, the report .docx and its
sentences, the API — and the 2023 exam's live figures (read as of its close) unchanged too. Acts
dated in 2023 or before are refused and change nothing."""
from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi_exam import clock
from fazhi_exam.accounts import user_import
from fazhi_exam.accounts.users import UserFields, cohorts_by_name, create_user, set_active, update_user
from fazhi_exam.errors import DomainError
from fazhi_exam.extensions import db
from fazhi_exam.models import Exam, OrgUnit, User
from fazhi_exam.stats import archive
from fazhi_exam.stats import exams as exam_stats
from tests.exam_fixtures import DEFINITION
from tests.unit.test_user_import import xlsx

TODAY = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
VILLAGES = ("王庄村", "李庄村")
COHORTS = ("村干部", "法律明白人", "镇干部")
days = st.dates(min_value=date(2022, 1, 1), max_value=date(2026, 12, 4))
join = st.tuples(st.just("join"), st.sampled_from(VILLAGES), st.sampled_from(COHORTS), days)
move = st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(VILLAGES), st.sampled_from(COHORTS), days)
leave = st.tuples(st.just("leave"), st.integers(0, 50), days)
back = st.tuples(st.just("back"), st.integers(0, 50), days)
imported = st.tuples(st.just("import"), st.sampled_from(VILLAGES), days)
exam = st.tuples(st.just("exam"), st.integers(2023, 2026))
rename = st.tuples(st.just("rename"), st.sampled_from(VILLAGES))
steps = st.lists(st.one_of(join, move, leave, back, imported, exam, rename), min_size=1, max_size=6)
numbers = itertools.count(1)


def _unit(name: str) -> OrgUnit:
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name.startswith(name[:2])))


def _person(index: int) -> User | None:
    people = list(db.session.scalars(sa.select(User).where(User.org_unit_id.is_not(None)).order_by(User.id)))
    return people[index % len(people)] if people else None


def _apply(step: tuple) -> None:
    kind, *args = step
    if kind == "join":
        village, cohort, day = args
        create_user(None, UserFields(username=f"p{next(numbers)}", name="新人", org_unit=_unit(village),
                                     cohorts=cohorts_by_name([cohort])[0]), "Xinren@2026", effective=day)
    elif kind == "move":
        index, village, cohort, day = args
        user = _person(index)
        update_user(None, user, UserFields(username=user.username, name=user.name, org_unit=_unit(village),
                                           cohorts=cohorts_by_name([cohort])[0], roles=set(user.roles)),
                    effective=day)
    elif kind in ("leave", "back"):
        index, day = args
        set_active(None, _person(index), kind == "back", effective=day)
    elif kind == "import":
        village, day = args
        n = next(numbers)
        rows = [[f"导入{n}", 13600000000 + n, village, "法律明白人", "学员", "Daoru@2026", day.isoformat()]]
        user_import.apply_file(None, "名单.xlsx", xlsx(rows, header=user_import.COLUMNS))
    elif kind == "exam":
        (year,) = args
        opens = datetime(year, 9, 1, 1, 0, tzinfo=UTC)
        from fazhi_exam.exam.definitions import create_exam, parse_spec

        create_exam(None, parse_spec({**DEFINITION, "title": f"{year}年考试{next(numbers)}",
                                      "opens_at": opens.isoformat(),
                                      "closes_at": opens.replace(hour=3).isoformat()}), publish=True)
    else:
        (village,) = args
        unit = _unit(village)
        unit.name = f"{village[:2]}{next(numbers)}村"


def _reads(client) -> dict[str, bytes]:
    return {path: client.get(path).get_data() for path in (
        "/stats/export?year=2023", *(f"/stats/export?year=2023&format=csv&table={t}" for t in
                                     ("summary", "scores", "attendance_people", "study", "items")),
        "/stats/report.docx?year=2023", "/api/v1/stats/years/2023", "/stats/report?year=2023")}


def _figures(exam_id: int) -> tuple:
    f = exam_stats.figures(db.session.get(Exam, exam_id))
    return f.expected, f.took, f.passed, f.excused


def test_a_closed_year_holds_still(app, client, auth, world, make_user, make_exam, sit):
    make_user("admin", roles={"admin"})
    exam_id = make_exam()
    sit(world["zhang"], exam_id)
    sit(world["li"], exam_id, right=0)
    clock.freeze(TODAY)
    with app.app_context():
        live_before = _figures(exam_id)
        archive.close_year(None, 2023)
        db.session.commit()
    auth.login("admin")
    baseline = _reads(client)
    report_text = baseline.pop("/stats/report?year=2023")
    assert "已归档" in report_text.decode() and baseline["/stats/export?year=2023"][:2] == b"PK"

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(steps)
    def holds(sequence):
        with app.app_context():
            for step in sequence:
                try:
                    _apply(step)
                    db.session.commit()
                except DomainError as exc:  # a refused step changes nothing
                    db.session.rollback()
                    dated = [a for a in step if isinstance(a, date | int) and not isinstance(a, bool)]
                    if "已归档" in exc.message:
                        assert any((d.year if isinstance(d, date) else d) <= 2023 for d in dated), exc.message
            assert _figures(exam_id) == live_before
        now = _reads(client)
        page = now.pop("/stats/report?year=2023")
        assert now == baseline
        assert _sentences(page) == _sentences(report_text)

    holds()


def _sentences(page: bytes) -> list[str]:
    """The report page's sentences and tables (the page around them has menus and the year picker,
    which lists the years that have records — later years come)."""
    text = page.decode()
    found = re.findall(r"<p>(.*?)</p>", text) + re.findall(r"<table.*?</table>", text, re.S)
    assert found
    return found
