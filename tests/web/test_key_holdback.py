"""No key before review (DESIGN §3a, §4): practice, 练错题, the 错题本 and the API never show a key, an
explanation or a basis of a question while an exam that holds it runs or before its review is allowed."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.bank import importing
from fazhi_exam.bank.exporters.native import export
from fazhi_exam.bank.exporting import export_bank
from fazhi_exam.extensions import db
from fazhi_exam.models import Attempt, AttemptQuestion, Bank, Exam, PracticeAnswer, Question, QuestionVersion
from tests.conftest import Api
from tests.exam_fixtures import T0, bank_questions

PAUSED = "考试进行中，练习暂停；交卷后再来练习。"
# What a key, an explanation or a basis looks like on a practice page (every basis of the test bank
# cites 《中华人民共和国行政处罚法》; the bank's explanations all read 解析).
REVEALING = ("正确答案", "答对了", "答错了", "解析", "法律依据", "行政处罚法》", "第五条", "第九条", "第三十六条")


def _reveals(page: str) -> list[str]:
    return [word for word in REVEALING if word in page]


def _tries(qtype: str, n_options: int, qid: int) -> list[dict]:
    """Every single-option answer a prober would send (and a fill guess)."""
    if qtype in ("single", "multiple"):
        return [{f"q{qid}": letter} for letter in "ABCDEFGH"[:n_options]]
    if qtype == "judge":
        return [{f"q{qid}": "true"}, {f"q{qid}": "false"}]
    return [{f"q{qid}_0": "二", "blanks": "1"}, {f"q{qid}_0": "三", "blanks": "1"}]


def _probe(client, token: str, question_id: int, version_id: int, qtype: str, extra: dict):
    data = {"csrf_token": token, "question_id": question_id, "version_id": version_id, "type": qtype,
            "blanks": "0", **extra}
    return client.post("/practice/question", data=data)


def _paper(app, attempt_id: int) -> list[tuple[int, int, str, int]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(AttemptQuestion.question_id, AttemptQuestion.version_id, QuestionVersion.type,
                      QuestionVersion.options)
            .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.version_id)
            .where(AttemptQuestion.attempt_id == attempt_id).order_by(AttemptQuestion.position)).all()
        return [(q, v, t, len(o or [])) for q, v, t, o in rows]


def _probe_all(client, token, paper) -> list:
    return [(qid, _probe(client, token, qid, vid, qtype, extra))
            for qid, vid, qtype, n in paper for extra in _tries(qtype, n, qid)]


def _practice_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PracticeAnswer))


def _attempt_id(app, user_id: int, exam_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Attempt.id).where(Attempt.user_id == user_id, Attempt.exam_id == exam_id))


def _bank_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Bank.id).where(Bank.name == "测试库"))


def _current(app, question_id: int) -> tuple[int, str, int]:
    with app.app_context():
        v = db.session.get(Question, question_id).current_version
        return v.id, v.type, len(v.options or [])


def _wrong_count(page: str) -> int:
    return int(re.search(r"练错题（(\d+) 道）", page).group(1))


def test_running_exam_is_no_key_oracle(app, client, auth, make_exam):
    exam_id = make_exam()
    auth.login("zhang")
    api = Api(client)
    api.token = auth.csrf()
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    questions = _paper(app, paper["attempt_id"])
    assert len(questions) == 10
    token = auth.csrf()
    for qid, response in _probe_all(client, token, questions):
        page = response.get_data(as_text=True)
        assert response.status_code == 409, qid
        assert PAUSED in page and not _reveals(page), (qid, _reveals(page))
    assert _practice_count(app) == 0
    # The pages say why, and offer nothing to answer.
    for url in ("/practice", "/practice/question", "/practice/question?mode=wrong", "/practice/wrong-book"):
        page = client.get(url).get_data(as_text=True)
        assert PAUSED in page and 'name="question_id"' not in page, url
    # The API shows no key while the attempt runs.
    running = api.call("GET", f"/api/v1/attempts/{paper['attempt_id']}").get_json()
    assert "review" not in running and "key" not in str(running)
    done = api.call("POST", f"/api/v1/attempts/{paper['attempt_id']}/submit").get_json()
    assert len(done["review"]) == 10  # after_submit: the review is the place for keys
    # Submitted with review allowed: practice is back, its questions too.
    assert PAUSED not in client.get("/practice").get_data(as_text=True)
    qid, vid, qtype, n = questions[0]
    page = _probe(client, token, qid, vid, qtype, _tries(qtype, n, qid)[0]).get_data(as_text=True)
    assert "正确答案" in page


def test_after_close_wrong_book_waits_for_the_close(app, client, auth, make_exam, world, sit):
    exam_id = make_exam(show_answers="after_close")
    sit(world["zhang"], exam_id, right=0)  # all wrong; the clock is now just after it opened
    attempt_id = _attempt_id(app, world["zhang"], exam_id)
    questions = _paper(app, attempt_id)
    stems = {}
    with app.app_context():
        for qid, *_ in questions:
            stems[qid] = db.session.get(Question, qid).current_version.stem
    auth.login("zhang")
    book = client.get("/practice/wrong-book").get_data(as_text=True)
    assert not [s for s in stems.values() if s in book]
    assert "考试结束、公布答案后可查看" in book and "正确答案" not in book
    assert _wrong_count(client.get("/practice").get_data(as_text=True)) == 0
    assert "错题本里没有题了" in client.get("/practice/question?mode=wrong", follow_redirects=True).get_data(as_text=True)
    token = auth.csrf()
    for qid, response in _probe_all(client, token, questions):
        assert response.status_code == 404, qid
        assert not _reveals(response.get_data(as_text=True)), qid
    assert _practice_count(app) == 0
    api = Api(client)
    assert "review" not in api.call("GET", f"/api/v1/attempts/{attempt_id}").get_json()
    # The other questions of the bank can still be practised meanwhile.
    for _ in range(5):
        page = client.get(f"/practice/question?bank={_bank_id(app)}").get_data(as_text=True)
        shown = int(re.search(r'name="question_id" value="(\d+)"', page).group(1))
        assert shown not in stems
    with app.app_context():
        closes_at = db.session.get(Attempt, attempt_id).exam.closes_at
    clock.freeze(closes_at + timedelta(minutes=1))
    book = client.get("/practice/wrong-book").get_data(as_text=True)
    assert all(s in book for s in stems.values()) and "正确答案" in book
    assert "考试结束、公布答案后可查看" not in book
    assert _wrong_count(client.get("/practice").get_data(as_text=True)) == len(stems) == 10
    assert "review" in api.call("GET", f"/api/v1/attempts/{attempt_id}").get_json()
    page = client.get("/practice/question?mode=wrong").get_data(as_text=True)
    assert int(re.search(r'name="question_id" value="(\d+)"', page).group(1)) in stems


def test_never_keeps_the_keys_after_the_close(app, client, auth, make_exam, world, sit):
    exam_id = make_exam(show_answers="never")
    sit(world["zhang"], exam_id, right=0)
    attempt_id = _attempt_id(app, world["zhang"], exam_id)
    questions = _paper(app, attempt_id)
    with app.app_context():
        closes_at = db.session.get(Attempt, attempt_id).exam.closes_at
    clock.freeze(closes_at + timedelta(days=30))
    auth.login("zhang")
    assert _wrong_count(client.get("/practice").get_data(as_text=True)) == 0
    book = client.get("/practice/wrong-book").get_data(as_text=True)
    assert "正确答案" not in book
    token = auth.csrf()
    for qid, response in _probe_all(client, token, questions[:4]):
        assert response.status_code == 404 and not _reveals(response.get_data(as_text=True)), qid
    assert "review" not in Api(client).call("GET", f"/api/v1/attempts/{attempt_id}").get_json()


def _fixed_ids(app, n: int = 4) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Question.id).where(Question.type == "single")
                                       .order_by(Question.id).limit(n)))


def test_fixed_paper_not_yet_sat_is_held_back(app, client, auth, make_exam, world):
    fixed = _fixed_ids(app)
    exam_id = make_exam(paper=[{"question_ids": fixed, "points": 5}], shuffle_questions=False,
                        opens_at=(T0 + timedelta(days=1)).isoformat(),
                        closes_at=(T0 + timedelta(days=1, hours=2)).isoformat())
    auth.login("zhang")  # 村干部: in the audience; the exam opens tomorrow
    token = auth.csrf()
    for status in ("published", "draft"):  # a draft paper is known to the trainer already
        with app.app_context():
            db.session.get(Exam, exam_id).status = status
            db.session.commit()
        for qid in fixed:
            vid, qtype, n = _current(app, qid)
            response = _probe(client, token, qid, vid, qtype, {f"q{qid}": "A"})
            assert response.status_code == 404 and not _reveals(response.get_data(as_text=True)), (status, qid)
    seen = set()
    for _ in range(15):
        page = client.get(f"/practice/question?bank={_bank_id(app)}").get_data(as_text=True)
        seen.add(int(re.search(r'name="question_id" value="(\d+)"', page).group(1)))
    assert not seen & set(fixed)
    auth.logout()
    auth.login("outsider")  # not in its audience: nothing to hold back from them
    vid, qtype, n = _current(app, fixed[0])
    page = _probe(client, auth.csrf(), fixed[0], vid, qtype, {f"q{fixed[0]}": "A"}).get_data(as_text=True)
    assert "正确答案" in page


def test_fixed_paper_after_submit_review_frees_the_questions(app, client, auth, make_exam, world, sit):
    fixed = _fixed_ids(app)
    exam_id = make_exam(paper=[{"question_ids": fixed, "points": 5}], max_attempts=2)
    auth.login("zhang")
    vid, qtype, n = _current(app, fixed[0])
    assert _probe(client, auth.csrf(), fixed[0], vid, qtype, {f"q{fixed[0]}": "A"}).status_code == 404
    sit(world["zhang"], exam_id, right=2)  # finished, review after submit: the keys are in the review now
    page = _probe(client, auth.csrf(), fixed[0], vid, qtype, {f"q{fixed[0]}": "A"}).get_data(as_text=True)
    assert "正确答案" in page


def test_bank_closed_for_practice(app, client, auth, world):
    bank_id = _bank_id(app)
    auth.login("peixun")
    page = client.get(f"/bank/{bank_id}").get_data(as_text=True)
    assert "允许练习" in page and re.search(r'name="practice_open" value="1"\s+checked', page)
    client.post(f"/bank/{bank_id}/practice", data={"csrf_token": auth.csrf(f"/bank/{bank_id}")})
    page = client.get(f"/bank/{bank_id}").get_data(as_text=True)
    assert "练习已关闭" in page and not re.search(r'name="practice_open" value="1"\s+checked', page)
    auth.logout()
    auth.login("zhang")
    assert "测试库" not in client.get("/practice").get_data(as_text=True)
    assert "暂时没有可练习的题" in client.get(f"/practice/question?bank={bank_id}",
                                               follow_redirects=True).get_data(as_text=True)
    qid = _fixed_ids(app, 1)[0]
    vid, qtype, n = _current(app, qid)
    response = _probe(client, auth.csrf(), qid, vid, qtype, {f"q{qid}": "A"})
    assert response.status_code == 404 and not _reveals(response.get_data(as_text=True))
    auth.logout()
    auth.login("peixun")
    client.post(f"/bank/{bank_id}/practice", data={"csrf_token": auth.csrf(f"/bank/{bank_id}"),
                                                   "practice_open": "1"})
    auth.logout()
    auth.login("zhang")
    assert "测试库" in client.get("/practice").get_data(as_text=True)


def test_unpublished_question_and_foreign_or_old_version(app, client, auth, world):
    from fazhi_exam.bank import questions as service

    single = _fixed_ids(app, 3)
    with app.app_context():
        service.set_status(None, db.session.get(Question, single[0]), "retired")
        service.set_status(None, db.session.get(Question, single[1]), "draft")
        edited = db.session.get(Question, single[2])
        old_version = edited.current_version_id
        service.edit_question(None, edited, service.as_parsed(edited.current_version), "改题干")
        db.session.commit()
    auth.login("zhang")
    token = auth.csrf()
    for qid in single[:2]:
        vid, qtype, n = _current(app, qid)
        response = _probe(client, token, qid, vid, qtype, {f"q{qid}": "A"})
        assert response.status_code == 404 and not _reveals(response.get_data(as_text=True)), qid
    other = _fixed_ids(app, 4)[3]
    other_version, _, _ = _current(app, other)
    cases = [(single[2], old_version), (single[2], other_version), (other, _current(app, single[2])[0])]
    for qid, vid in cases:
        response = _probe(client, token, qid, vid, "single", {f"q{qid}": "A"})
        assert response.status_code == 404 and not _reveals(response.get_data(as_text=True)), (qid, vid)
    assert _practice_count(app) == 0
    # The question's own current version is answered as usual.
    vid, qtype, n = _current(app, single[2])
    assert "正确答案" in _probe(client, token, single[2], vid, qtype, {f"q{single[2]}": "A"}).get_data(as_text=True)


def test_native_yaml_keeps_the_practice_setting(app, world):
    with app.app_context():
        assert db.session.scalar(sa.select(Bank.practice_open).where(Bank.name == "测试库")) is True
        assert b"practice" not in export_bank("测试库", "yaml")[0]  # open banks' files stay as they were
        importing.import_file(None, "c.yaml", export(bank_questions()[:3], bank="闭卷库", practice_open=False))
        db.session.commit()
        assert db.session.scalar(sa.select(Bank.practice_open).where(Bank.name == "闭卷库")) is False
        assert b"practice: false" in export_bank("闭卷库", "yaml")[0]
        report = importing.check_file("d.yaml", "bank: 坏库\npractice: 也许\nquestions: []\n".encode())
        assert any("practice" in str(p) for p in report.problems)


def test_practice_kind_exam_does_not_pause_but_holds_its_own_questions(app, client, auth, make_exam, world):
    exam_id = make_exam(kind="practice", title="行政处罚法练习卷")
    auth.login("zhang")
    api = Api(client)
    api.token = auth.csrf()
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    questions = _paper(app, paper["attempt_id"])
    assert PAUSED not in client.get("/practice").get_data(as_text=True)
    token = auth.csrf()
    for qid, response in _probe_all(client, token, questions[:3]):
        assert response.status_code == 404 and not _reveals(response.get_data(as_text=True)), qid
    page = client.get(f"/practice/question?bank={_bank_id(app)}").get_data(as_text=True)
    assert int(re.search(r'name="question_id" value="(\d+)"', page).group(1)) not in {q[0] for q in questions}


def test_existing_banks_stay_open_for_practice_after_the_migration(tmp_path):
    from flask_migrate import upgrade

    from fazhi_exam import create_app
    from tests.conftest import base_config

    app = create_app(base_config(f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with app.app_context():
        upgrade(revision="0006_materials")
        db.session.execute(sa.text("INSERT INTO banks (name, description, created_at) "
                                   "VALUES ('旧题库', '', '2023-01-01 00:00:00.000000')"))
        db.session.commit()
        upgrade()
        assert db.session.scalar(sa.select(Bank.practice_open).where(Bank.name == "旧题库")) is True
        db.session.remove()
        db.engine.dispose()


def test_attempt_past_its_deadline_no_longer_pauses_but_keeps_its_keys(app, client, auth, make_exam, world):
    exam_id = make_exam(duration_minutes=30)
    auth.login("zhang")
    api = Api(client)
    api.token = auth.csrf()
    paper = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()
    questions = _paper(app, paper["attempt_id"])
    clock.freeze(clock.now() + timedelta(minutes=45))  # time ran out; nobody has closed the attempt yet
    assert PAUSED not in client.get("/practice").get_data(as_text=True)
    for qid, response in _probe_all(client, auth.csrf(), questions[:3]):
        assert response.status_code == 404 and not _reveals(response.get_data(as_text=True)), qid


def test_material_quiz_is_no_key_oracle(app, client, auth, make_exam, world, sit):
    """The study material's check quiz says 答对 x/y: a verdict is a key, so a running paper pauses it
    and a paper whose review has not come never has its questions graded there."""
    from fazhi_exam.study.materials import create_material

    with app.app_context():
        material = create_material(None, title="有小测的资料", kind="text", minutes=1, body="正文",
                                   quiz_bank_id=_bank_id(app), quiz_count=1, quiz_pass=1)
        db.session.commit()
        material_id = material.id
    quiz = f"/study/materials/{material_id}/quiz"
    exam_id = make_exam(show_answers="after_close")
    auth.login("zhang")
    api = Api(client)
    api.token = auth.csrf()
    attempt_id = api.call("POST", f"/api/v1/exams/{exam_id}/attempts").get_json()["attempt_id"]
    questions = _paper(app, attempt_id)
    token = auth.csrf()

    def probe(qid: int, vid: int, qtype: str, extra: dict):
        data = {"csrf_token": token, "version_ids": [str(vid)], f"type_{vid}": qtype,
                **{k.replace(f"q{qid}", f"q{vid}"): v for k, v in extra.items()}}
        return client.post(quiz, data=data, follow_redirects=True).get_data(as_text=True)

    page = client.get(quiz)
    assert page.status_code == 409 and "考试进行中，小测暂停" in page.get_data(as_text=True)
    for qid, vid, qtype, n in questions:
        for extra in _tries(qtype, n, qid):
            assert "答对 1/1" not in probe(qid, vid, qtype, extra) and "小测通过" not in probe(qid, vid, qtype, extra)
    api.call("POST", f"/api/v1/attempts/{attempt_id}/submit")
    # Submitted, review after the close: the paper's questions are still not graded by the quiz.
    held = [q for q in questions if q[2] in ("single", "multiple", "judge")]
    for qid, vid, qtype, n in held:
        for extra in _tries(qtype, n, qid):
            page = probe(qid, vid, qtype, extra)
            assert "小测通过" not in page and "答对 0/1" not in page, qid
            assert "小测的题目不完整" in page
    for _ in range(5):  # nor drawn for it
        drawn = client.get(quiz).get_data(as_text=True)
        shown = {int(x) for x in re.findall(r'name="version_ids" value="(\d+)"', drawn)}
        assert shown and not shown & {vid for _, vid, _, _ in questions}
