"""Long work never blocks an examinee's saves (issue 14): while a trainer imports a large bank in the
browser, an admin imports a roster, and the command line imports a study plan and a sign-in sheet
and closes expired attempts and a year, a learner autosaves every 50 ms — every save is acknowledged (200)
within a second, and the last acknowledged answer is the one stored.

On SQLite a request used to take the write lock at its first query and keep it while it parsed the
upload and wrote everything (database.py now takes it at the first write, and imports write in
committed batches); saves then waited up to busy_timeout and failed with "database is locked"."""
from __future__ import annotations

import io
import re
import threading
import time
from datetime import timedelta

import openpyxl
import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.bank.exporters.native import export as native_export
from fazhi_exam.bank.importers.base import ParsedQuestion
from fazhi_exam.extensions import db
from fazhi_exam.models import Answer, Attempt, AttemptQuestion, Question, User
from tests.conftest import Api
from tests.exam_fixtures import T0

SLOW = 1.0  # seconds: a save slower than this is what an examinee notices


class Saver:
    """A learner saving one answer every 50 ms on their own connection until stopped."""

    def __init__(self, app, exam_id: int):
        self.api = Api(app.test_client())
        assert self.api.login("zhang").status_code == 200
        paper = self.api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
        self.attempt_id = paper["attempt_id"]
        self.qid = next(q["id"] for q in paper["questions"] if q["type"] == "judge")
        self.seq = 0
        self.results: list[tuple[int, float]] = []
        self.acknowledged: tuple[int, bool] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        put = f"/api/v1/attempts/{self.attempt_id}/answers/{self.qid}"
        while not self._stop.is_set():
            self.seq += 1
            response = self.seq % 2 == 0
            began = time.monotonic()
            status = self.api.call("PUT", put, json={"response": response, "seq": self.seq}).status_code
            self.results.append((status, time.monotonic() - began))
            if status == 200:
                self.acknowledged = (self.seq, response)
            time.sleep(0.05)

    def during(self, action, overlap: int = 3):
        """Run `action` while saving (at least `overlap` saves); returns what it returned."""
        before = len(self.results)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        try:
            return action()
        finally:
            self._stop.set()
            self._thread.join(timeout=30)
            made = self.results[before:]
            assert len(made) >= overlap, "the saves did not overlap the action"
            refused = [status for status, _ in made if status != 200]
            slow = sorted(seconds for _, seconds in made if seconds >= SLOW)
            assert not refused and not slow, (refused, slow, len(made))

    def stored(self, app) -> tuple[int, bool]:
        with app.app_context():
            answer = db.session.scalar(sa.select(Answer).join(AttemptQuestion).where(
                AttemptQuestion.attempt_id == self.attempt_id, AttemptQuestion.question_id == self.qid))
            return answer.seq, answer.response


def _bank_file(n: int) -> bytes:
    questions = [ParsedQuestion("single", f"第{i}题：根据《中华人民共和国行政处罚法》，下列哪一项是行政处罚的种类？（导入测试 {i}）",
                                ["警告、通报批评", "记过", "降级", "撤职"], "A", "第九条列举了行政处罚的种类。",
                                "《中华人民共和国行政处罚法》第九条", 2, ["执法"]) for i in range(n)]
    return native_export(questions, bank="大题库")


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_saves_go_on_during_imports_and_long_actions(app, client, auth, world, make_exam, make_user, tmp_path):
    exam_id = make_exam(closes_at=(T0 + timedelta(hours=6)).isoformat(), duration_minutes=300)
    saver = Saver(app, exam_id)
    make_user("admin", roles={"admin", "trainer"})
    auth.login("admin")
    token = auth.csrf("/bank/import")

    # a trainer imports a bank of 1,500 questions: preview (parse, check), then confirm (write)
    def bank_import():
        page = client.post("/bank/import", data={"csrf_token": token, "file": (io.BytesIO(_bank_file(1500)), "大.yaml"),
                                                 "bank": "", "status": "published"},
                           content_type="multipart/form-data").get_data(as_text=True)
        action = re.search(r'action="(/bank/import/[^"]+)"', page).group(1)
        done = client.post(action, data={"csrf_token": token}).get_data(as_text=True)
        assert "已导入 1500 道试题到题库“大题库”" in done
        assert client.post(action, data={"csrf_token": token}).status_code == 404  # confirmed once only

    saver.during(bank_import)
    with app.app_context():
        statuses = db.session.execute(sa.select(Question.status, sa.func.count()).join(Question.bank)
                                      .where(sa.text("banks.name = '大题库'")).group_by(Question.status)).all()
        assert statuses == [("published", 1500)]  # written as drafts in batches, published together

    # an admin imports 300 people
    people = [[f"村民{i:03d}", 13700000000 + i, "王庄村", "村干部", "学员", "Chushi@123"] for i in range(300)]
    roster = _xlsx(["姓名", "用户名或手机号", "单位", "人员类别", "角色", "初始密码"], people)

    def user_import():
        page = client.post("/admin/users/import", data={"csrf_token": token, "file": (io.BytesIO(roster), "名单.xlsx")},
                           content_type="multipart/form-data").get_data(as_text=True)
        action = re.search(r'action="(/admin/users/import/[^"]+)"', page).group(1)
        done = client.post(action, data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
        assert "已导入 300 名人员" in done

    saver.during(user_import)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.username.like("137%"))) == 300

    # the command line: a study plan, then its sign-in sheet of 300 rows, then closing expired attempts
    day = (T0 + timedelta(days=1)).date().isoformat()
    plan = tmp_path / "计划.xlsx"
    plan.write_bytes(_xlsx(["日期", "开始时间", "结束时间", "学习主题", "参学对象"], [[day, "09:00", "11:00", "宪法学习", "村干部"]]))
    sheet = tmp_path / "签到.xlsx"
    sheet.write_bytes(_xlsx(["日期", "学习主题", "用户名或手机号", "出勤"],
                            [[day, "宪法学习", str(13700000000 + i), "出席"] for i in range(300)]))
    runner = app.test_cli_runner()
    for args in (["study", "import-plan", str(plan)], ["study", "import-attendance", str(sheet)]):
        result = saver.during(lambda args=args: runner.invoke(args=args), overlap=1)
        assert result.exit_code == 0, result.output

    with app.app_context():  # 40 of the new people have attempts that ran out an hour ago
        attempts = [Attempt(exam_id=exam_id, user_id=uid, number=1, status="in_progress", started_at=T0,
                            deadline=T0 + timedelta(minutes=1), max_score=13)
                    for uid in db.session.scalars(sa.select(User.id).where(User.username.like("137%")).limit(40))]
        db.session.add_all(attempts)
        db.session.commit()
    clock.freeze(T0 + timedelta(hours=1))
    result = saver.during(lambda: runner.invoke(args=["attempts", "close-expired"]), overlap=1)
    assert "已自动交卷 40 份过期答卷" in result.output

    # closing the year builds every figure, export and report first and writes them in one short
    # transaction at the end (it used to hold the lock from its first row to the last)
    result = saver.during(lambda: runner.invoke(args=["year", "close", "2023"]), overlap=1)
    assert result.exit_code == 0, result.output

    assert saver.stored(app) == saver.acknowledged  # the last acknowledged save is the one kept
