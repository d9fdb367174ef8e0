"""Closing a year (归档, issue 13 point 5): the snapshot is what every read of the year returns,
byte for byte, whatever changes afterwards; acts that would change the year are refused until an
admin reopens it with a reason.

World: 2023-06-01 exam for 村干部 (王庄村 zhang passes, li fails); 2023 is closed on 2024-01-10."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.errors import Conflict
from fazhi_exam.extensions import db
from fazhi_exam.models import Attempt, AuditEvent, Exam, OrgUnit, User, YearClosure
from fazhi_exam.stats import archive
from tests.conftest import csrf_from

CLOSING = datetime(2024, 1, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def closed_2023(app, world, make_user, make_exam, sit):
    make_user("admin", roles={"admin"})
    make_user("cunguan", roles={"admin"}, scope="李庄村")  # a village admin: their view is kept too
    exam_id = make_exam()
    sit(world["zhang"], exam_id)
    sit(world["li"], exam_id, right=0)
    clock.freeze(CLOSING)
    with app.app_context():
        archive.close_year(None, 2023)
        db.session.commit()
    return exam_id


def _reads(client) -> dict[str, bytes]:
    return {path: client.get(path).get_data() for path in (
        "/stats/export?year=2023", "/stats/export?year=2023&format=csv&table=scores",
        "/stats/report.docx?year=2023", "/api/v1/stats/years/2023")}


def test_reads_stay_byte_identical_after_later_changes(app, client, auth, closed_2023, make_user, runner, tmp_path):
    auth.login("admin")
    before = _reads(client)
    assert before["/stats/export?year=2023"][:2] == b"PK"
    assert "测试zhang" in before["/stats/export?year=2023&format=csv&table=scores"].decode("utf-8-sig")
    # years later: a join into 王庄村's cadres, a rename of the village and of a person, a move
    clock.freeze(datetime(2026, 12, 4, 2, 0, tzinfo=UTC))
    make_user("newcomer", unit="王庄村", cohorts=["村干部"], joined=None)
    with app.app_context():
        db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "王庄村")).name = "王庄社区"
        db.session.scalar(sa.select(User).where(User.username == "zhang")).name = "张改名"
        db.session.commit()
    auth.login("admin")  # years later: a new sign-in
    after = _reads(client)
    assert after == before
    page = client.get("/stats/?year=2023").get_data(as_text=True)
    assert "已归档" in page and "王庄社区" not in page
    assert "相关成绩、出勤和免考请假记录不能再改动" in client.get(f"/stats/exams/{closed_2023}").get_data(as_text=True)
    report = client.get("/stats/report?year=2023").get_data(as_text=True)
    assert "已归档" in report and "应考2人" in report
    api = client.get("/api/v1/stats/years/2023").get_json()
    assert api["archive"]["closed_by"] == "命令行" and api["exams"][0]["expected"] == 2
    out = tmp_path / "2023.xlsx"
    assert runner.invoke(args=["stats", "export", "--year", "2023", "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == before["/stats/export?year=2023"]


def test_changes_to_a_closed_year_are_refused(app, client, auth, closed_2023, world, make_user):
    from fazhi_exam.exam.attempts import reopen
    from fazhi_exam.study import exemptions

    with app.app_context():
        trainer = db.session.get(User, world["trainer"])
        attempt = db.session.scalar(sa.select(Attempt).where(Attempt.user_id == world["li"]))
        attempt_id = attempt.id
        with pytest.raises(Conflict, match="2023年已归档，不能重新开放"):
            reopen(trainer, attempt, 30)
        exam = db.session.get(Exam, closed_2023)
        outsider = db.session.get(User, world["outsider"])
        with pytest.raises(Conflict, match="2023年已归档"):
            exemptions.grant_row(trainer, outsider, exam, "生病")
        db.session.rollback()
    # a join backdated into 2023 changes that year's 应考; one dated today does not
    with pytest.raises(Conflict, match="2023年已归档，不能登记生效日期为 2023-05-01"):
        make_user("backdated", unit="王庄村", cohorts=["村干部"], joined=date(2023, 5, 1))
    make_user("today", unit="王庄村", cohorts=["村干部"], joined=None)
    auth.login("peixun")
    token = auth.csrf("/manage/exams")
    response = client.post(f"/manage/exams/attempts/{attempt_id}/reopen", data={"csrf_token": token, "minutes": "30"},
                           follow_redirects=True)
    assert "2023年已归档" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status != "in_progress"
        assert db.session.scalar(sa.select(User).where(User.username == "backdated")) is None


def test_a_new_exam_in_a_closed_year_is_refused(app, closed_2023, make_exam):
    with pytest.raises(Conflict, match="2023年已归档，不能新建该年度的正式考试"):
        make_exam(title="补录的考试")
    make_exam(title="模拟", kind="mock")  # a mock is in no figure


def test_reopen_needs_a_reason_then_closing_again_takes_a_new_snapshot(app, client, auth, closed_2023, world):
    auth.login("admin")
    years = client.get("/stats/years").get_data(as_text=True)
    assert "已归档" in years and "重新打开" in years
    token = csrf_from(years)
    empty = client.post("/stats/years/2023/reopen", data={"csrf_token": token, "reason": " "}, follow_redirects=True)
    assert "请填写重新打开的原因" in empty.get_data(as_text=True)
    client.post("/stats/years/2023/reopen", data={"csrf_token": token, "reason": "李某成绩登记错误，需重新开放答卷"})
    page = client.get("/stats/years").get_data(as_text=True)
    assert "李某成绩登记错误" in page and "核对并归档" in page
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "year_reopened"))
        assert "李某成绩登记错误" in event.details
        assert archive.live_closure(2023) is None
    # open again: the correction goes through, and the next closing holds it
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.username == "li")).name = "李更正"
        db.session.commit()
    check = client.get("/stats/years/2023/close").get_data(as_text=True)
    assert "应考 2" in check and "合格 1" in check
    unchecked = client.post("/stats/years/2023/close", data={"csrf_token": token}, follow_redirects=True)
    assert "勾选" in unchecked.get_data(as_text=True)
    client.post("/stats/years/2023/close", data={"csrf_token": token, "checked": "1"})
    csv = client.get("/stats/export?year=2023&format=csv&table=scores").get_data().decode("utf-8-sig")
    assert "李更正" in csv
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(YearClosure)) == 2
        assert archive.live_closure(2023).closed_by_name == "测试admin"


def test_only_a_town_admin_closes_and_a_village_admin_reads_their_part(app, client, auth, closed_2023, make_user, api):
    auth.login("peixun")
    assert client.get("/stats/years").status_code == 403
    assert client.post("/stats/years/2023/reopen", data={"reason": "x"}).status_code in (400, 403)
    auth.logout()
    auth.login("cunguan")
    assert client.get("/stats/years").status_code == 403
    village = client.get("/api/v1/stats/years/2023").get_json()
    assert village["scope"] == "李庄村" and village["exams"][0]["expected"] == 0
    assert village["archive"] is not None
    auth.logout()
    make_user("later", roles={"admin"}, scope="王庄村")  # made a village admin after the closing
    auth.login("later")
    missing = client.get("/stats/export?year=2023")
    assert missing.status_code == 404 and "归档时本单位还没有村级管理员账号" in missing.get_data(as_text=True)
    api.login("admin")
    assert api.call("POST", "/api/v1/years/2023/close").status_code == 409
    refused = api.call("POST", "/api/v1/years/2023/reopen", json={})
    assert refused.status_code == 422 and "原因" in refused.get_json()["message"]
    assert api.call("POST", "/api/v1/years/2023/reopen", json={"reason": "复核"}).status_code == 200
    assert api.call("POST", "/api/v1/years/2023/close").get_json()["archive"]["closed_by"] == "测试admin"
    assert api.call("POST", "/api/v1/years/2099/close").status_code == 422


def test_cli_close_reopen_status(app, runner, world, make_exam, sit):
    exam_id = make_exam()
    sit(world["zhang"], exam_id)
    clock.freeze(CLOSING)
    assert runner.invoke(args=["year", "status"]).output.strip() == "还没有归档过任何年度。"
    closed = runner.invoke(args=["year", "close", "2023"])
    assert closed.exit_code == 0 and "2023年已归档" in closed.output
    again = runner.invoke(args=["year", "close", "2023"])
    assert again.exit_code == 1 and "2023年已经归档" in again.output
    assert runner.invoke(args=["year", "reopen", "2023"]).exit_code == 2  # --reason is required
    reopened = runner.invoke(args=["year", "reopen", "2023", "--reason", "补录出勤"])
    assert reopened.exit_code == 0
    status = runner.invoke(args=["year", "status"]).output
    assert re.search(r"2023年：2024-01-10 10:00 由命令行归档；.* 重新打开，原因：补录出勤", status)


def test_closing_builds_everything_before_it_takes_the_write_lock(app, world, make_user, make_exam, sit, monkeypatch):
    """An exam may be running while a year is closed: its saves must not wait for the closing. On
    SQLite no part of the snapshot is built while this connection holds the write lock."""
    from fazhi_exam.database import holds_write_lock

    make_user("cunguan", roles={"admin"}, scope="李庄村")
    sit(world["zhang"], make_exam())
    clock.freeze(CLOSING)
    built, snapshot = [], archive._snapshot

    def watched(*args):
        built.append(holds_write_lock(db.session.connection()))
        return snapshot(*args)

    monkeypatch.setattr(archive, "_snapshot", watched)
    with app.app_context():
        archive.close_year(None, 2023)
        assert holds_write_lock(db.session.connection()) == (db.engine.dialect.name == "sqlite")
        db.session.commit()
    assert built == [False, False]  # 李庄村, then the town
