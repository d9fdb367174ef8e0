"""免考 / 请假 / 免学 (DESIGN §5) on a small case worked out by hand.

The exam world: audience 村干部 — zhang, li (王庄村), zhao (李庄村); outsider (法律明白人, 李庄村) is not in
it. zhang takes the exam; zhao is excused (住院). 王庄村's village admin (cunguan) may give 请假 to
zhang and li only, and never 免考 or 免学."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fazhi_exam.errors import Conflict, PermissionDenied, ValidationError
from fazhi_exam.extensions import db
from fazhi_exam.models import Attendance, AuditEvent, Exam, Exemption, Programme, StudySession, User
from fazhi_exam.stats import exams as exam_stats
from fazhi_exam.stats import study as study_stats
from fazhi_exam.study import exemptions
from tests.exam_fixtures import T0


def _user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def _audit(action: str) -> list[dict]:
    return [json.loads(e.details) for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                                              .order_by(AuditEvent.id))]


@pytest.fixture
def case(exemption_case):
    return exemption_case


def test_excused_from_an_exam_are_counted_apart_and_audited(app, case):
    ids, exam_id, _, _ = case
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        before = exam_stats.figures(exam)
        assert (before.expected, before.took, before.excused) == (3, 1, 0)
        row = exemptions.excuse(_user("peixun"), _user("zhao"), exam, "  住院治疗  ")
        db.session.commit()
        assert row.reason == "住院治疗" and row.kind == "exam"
        f = exam_stats.figures(exam)
        assert (f.expected, f.took, f.excused, f.missed) == (2, 1, 1, 1)
        assert f.took_rate == 0.5
        units = {u.label: (u.expected, u.excused) for u in exam_stats.by_unit(exam)}
        assert units == {"王庄村": (2, 0), "李庄村": (0, 1)}
        cohorts = {c.label: (c.expected, c.excused) for c in exam_stats.by_cohort(exam)}
        assert cohorts == {"村干部": (2, 1)}
        excused = exam_stats.people(exam, "excused")
        assert [(p.username, p.result) for p in excused] == [("zhao", "免考（住院治疗）")]
        assert [p.username for p in exam_stats.people(exam, "missed")] == ["li"]
        assert "zhao" not in {p.username for p in exam_stats.people(exam, "expected")}
        assert _audit("exemption_granted") == [{"id": row.id, "kind": "exam", "object": exam.id, "user": "zhao",
                                                "reason": "住院治疗"}]

        exemptions.revoke(_user("peixun"), row)
        db.session.commit()
        f = exam_stats.figures(exam)
        assert (f.expected, f.excused) == (3, 0)
        assert db.session.get(Exemption, row.id).revoked_at is not None  # kept, as history
        assert [d["user"] for d in _audit("exemption_revoked")] == ["zhao"]
        # once revoked, the person may be excused again (one live exemption per person and exam)
        exemptions.excuse(_user("peixun"), _user("zhao"), exam, "外出培训")
        db.session.commit()
        assert exam_stats.figures(exam).excused == 1


def test_an_excused_person_who_takes_the_exam_anyway_counts(app, case, sit):
    ids, exam_id, _, _ = case
    with app.app_context():
        exemptions.excuse(_user("peixun"), _user("li"), db.session.get(Exam, exam_id), "病假")
        db.session.commit()
    sit(ids["li"], exam_id, right=0)
    with app.app_context():
        f = exam_stats.figures(db.session.get(Exam, exam_id))
        assert (f.expected, f.took, f.excused) == (3, 2, 0)


def test_refusals_change_nothing(app, case):
    ids, exam_id, session_id, programme_id = case
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        trainer, village = _user("peixun"), _user("cunguan")
        with pytest.raises(ValidationError, match="请填写原因"):
            exemptions.excuse(trainer, _user("li"), exam, "   ")
        with pytest.raises(ValidationError, match="200"):
            exemptions.excuse(trainer, _user("li"), exam, "因" * 201)
        with pytest.raises(Conflict, match="已经交卷"):
            exemptions.excuse(trainer, _user("zhang"), exam, "补登")
        with pytest.raises(ValidationError, match="不在这场考试参考人员的范围内"):
            exemptions.excuse(trainer, _user("outsider"), exam, "不需要考")
        with pytest.raises(PermissionDenied, match="村级管理员只能登记请假"):
            exemptions.excuse(village, _user("li"), exam, "病假")
        with pytest.raises(PermissionDenied, match="村级管理员只能登记请假"):
            exemptions.excuse(village, _user("li"), db.session.get(Programme, programme_id), "病假")
        with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
            exemptions.excuse(village, _user("zhao"), db.session.get(StudySession, session_id), "病假")
        with pytest.raises(PermissionDenied, match="自己"):
            exemptions.excuse(trainer, trainer, exam, "忙")
        db.session.rollback()
        exemptions.excuse(trainer, _user("li"), exam, "病假")
        with pytest.raises(Conflict, match="无需重复"):
            exemptions.excuse(trainer, _user("li"), exam, "病假")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Exemption)) == 1


def test_village_admin_gives_leave_to_own_people_only(app, case):
    """请假 is the session exemption: the mark "leave" with the reason, out of 应到, shown apart."""
    ids, _, session_id, _ = case
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        rows = {r.session.id: r for r in study_stats.session_rows(2023)}
        assert (rows[session_id].expected, rows[session_id].excused) == (3, 0)
        row = exemptions.excuse(_user("cunguan"), _user("li"), session, "村里防汛值班")
        db.session.commit()
        assert db.session.get(Attendance, (session_id, ids["li"])).status == "leave"
        r = {r.session.id: r for r in study_stats.session_rows(2023)}[session_id]
        assert (r.expected, r.leave, r.excused, r.absent) == (2, 1, 1, 2)
        assert [(p.username, p.reason) for p in study_stats.session_people(session, "leave")] == \
            [("li", "村里防汛值班")]
        assert "li" not in {p.username for p in study_stats.session_people(session, "expected")}
        assert _audit("exemption_granted")[0]["kind"] == "session"
        # a trainer who marks li present at roll call ends the 请假 (the exemption is revoked, kept)
        from fazhi_exam.study.attendance import roll_call

        roll_call(_user("peixun"), session, {ids["li"]: "present"})
        db.session.commit()
        assert db.session.get(Exemption, row.id).revoked_at is not None
        assert {r.session.id: r for r in study_stats.session_rows(2023)}[session_id].expected == 3
        # revoking a 请假 removes the mark: the person is expected (and absent) again
        again = exemptions.excuse(_user("cunguan"), _user("zhang"), session, "事假")
        exemptions.revoke(_user("cunguan"), again)
        db.session.commit()
        assert db.session.get(Attendance, (session_id, ids["zhang"])) is None
        assert [d["user"] for d in _audit("exemption_revoked")] == ["li", "zhang"]


def test_excused_from_a_programme_leave_its_rate_and_the_reminders(app, case):
    from fazhi_exam.study.reminders import programme_behind

    ids, _, _, programme_id = case
    with app.app_context():
        programme = db.session.get(Programme, programme_id)
        assert study_stats.programme_figures(programme).members == 3
        exemptions.excuse(_user("peixun"), _user("li"), programme, "长期外出务工")
        db.session.commit()
        f = study_stats.programme_figures(programme)
        assert (f.members, f.completed, f.excused) == (2, 0, 1)
        units = {u.label: (u.members, u.excused) for u in study_stats.programme_by_unit(programme)}
        assert units == {"王庄村": (1, 1), "李庄村": (1, 0)}
        assert [(p.username, p.reason) for p in study_stats.programme_people(programme, "excused")] == \
            [("li", "长期外出务工")]
        assert "li" not in {p.username for p in study_stats.programme_people(programme, "unfinished")}
        assert "li" not in {b.user.username for b in programme_behind(programme)}
        assert {"zhang", "zhao"} <= {b.user.username for b in programme_behind(programme)}


def test_my_exams_says_excused_not_missed(app, case):
    from fazhi_exam import clock
    from fazhi_exam.exam.views import my_exams

    ids, exam_id, _, _ = case
    with app.app_context():
        exemptions.excuse(_user("peixun"), _user("zhao"), db.session.get(Exam, exam_id), "住院治疗")
        db.session.commit()
        clock.freeze(T0 + timedelta(days=3))  # after the close
        states = {row["exam_id"]: (row["state"], row["excused_reason"]) for row in my_exams(_user("zhao"))}
        assert states[exam_id] == ("excused", "住院治疗")
        assert {row["exam_id"]: row["state"] for row in my_exams(_user("li"))}[exam_id] == "missed"
