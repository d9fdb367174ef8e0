"""Trainer pages for banks: lists and filters, create, edit (new version, old one kept), retire,
laws and 待复核, import with preview, export, escaping, and who may see them."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa

from fazhi_exam.bank import importing
from fazhi_exam.bank.exporters.native import export as native_export
from fazhi_exam.bank.importers.base import ParsedQuestion
from fazhi_exam.extensions import db
from fazhi_exam.models import Law, Question, QuestionVersion

QS = [
    ParsedQuestion("single", "违法行为在几年内未被发现的，不再给予行政处罚？", ["一年", "二年", "三年", "五年"], "B",
                   "第三十六条。", "《中华人民共和国行政处罚法》第三十六条", 2, ["行政处罚法", "执法"]),
    ParsedQuestion("judge", "<script>alert(1)</script>行政处罚遵循公正、公开的原则。", [], True, "第五条。",
                   "《中华人民共和国行政处罚法》第五条", 1, ["干部"]),
    ParsedQuestion("single", "公民死亡后，其遗产按照什么顺序继承？", ["法定继承", "先法定后遗嘱", "不分先后", "由村委会决定"], "A",
                   "第一千一百二十三条。", "《中华人民共和国民法典》第一千一百二十三条", 3, ["民法典", "明白人"]),
]


def setup_bank(app):
    with app.app_context():
        from fazhi_exam.bank.laws import ensure_laws

        ensure_laws()
        importing.import_file(None, "b.yaml", native_export(QS, bank="综合"))
        db.session.commit()
        return db.session.scalar(sa.select(Question.bank_id))


def trainer(client, auth, make_user):
    make_user("peixun", roles={"trainer"})
    auth.login("peixun")


def test_bank_list_filters_and_escaping(app, client, auth, make_user):
    bank_id = setup_bank(app)
    trainer(client, auth, make_user)
    page = client.get("/bank/").get_data(as_text=True)
    assert "综合" in page
    listing = client.get(f"/bank/{bank_id}").get_data(as_text=True)
    assert "共 3 题" in listing
    assert "<script>alert" not in listing and "&lt;script&gt;" in listing
    assert "筛选出 1 题" in client.get(f"/bank/{bank_id}?type=judge").get_data(as_text=True)
    assert "筛选出 1 题" in client.get(f"/bank/{bank_id}?tag=明白人").get_data(as_text=True)
    assert "筛选出 1 题" in client.get(f"/bank/{bank_id}?q=遗产").get_data(as_text=True)
    with app.app_context():
        law_id = db.session.scalar(sa.select(Law.id).where(Law.name == "民法典"))
    assert "筛选出 1 题" in client.get(f"/bank/{bank_id}?law={law_id}").get_data(as_text=True)


def test_edit_makes_a_new_version_and_keeps_the_old(app, client, auth, make_user):
    setup_bank(app)
    trainer(client, auth, make_user)
    with app.app_context():
        qid, v1 = db.session.execute(sa.select(Question.id, Question.current_version_id).order_by(Question.id)).first()
    form = client.get(f"/bank/questions/{qid}/edit").get_data(as_text=True)
    assert "二年" in form
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(f"/bank/questions/{qid}/edit", data={
        "csrf_token": token, "type": "single", "stem": "违法行为在多长时间内未被发现的，不再给予行政处罚？",
        "options": "一年\n二年\n三年\n五年", "answer": "Ｂ", "explanation": "第三十六条第一款。",
        "basis": "《中华人民共和国行政处罚法》第三十六条", "difficulty": "2", "tags": "行政处罚法、执法",
        "grading_points": "", "note": "题干措辞"})
    assert response.status_code == 302
    with app.app_context():
        question = db.session.get(Question, qid)
        assert question.current_version.number == 2 and question.current_version.answer == "B"
        old = db.session.get(QuestionVersion, v1)
        assert old.stem == "违法行为在几年内未被发现的，不再给予行政处罚？" and old.number == 1
    page = client.get(f"/bank/questions/{qid}").get_data(as_text=True)
    assert "第 2 版" in page and "题干措辞" in page
    assert "几年内" in client.get(f"/bank/questions/{qid}/versions/1").get_data(as_text=True)
    # a wrong key is refused with the reason, nothing saved
    bad = client.post(f"/bank/questions/{qid}/edit", data={
        "csrf_token": token, "type": "single", "stem": "另一道题？", "options": "甲\n乙", "answer": "C",
        "difficulty": "2", "note": ""})
    assert "答案“C”不在选项 A–B 中" in bad.get_data(as_text=True)


def test_create_retire_restore(app, client, auth, make_user):
    bank_id = setup_bank(app)
    trainer(client, auth, make_user)
    page = client.get(f"/bank/{bank_id}/questions/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/bank/{bank_id}/questions/new", data={
        "csrf_token": token, "type": "fill", "stem": "行政复议申请期限一般为知道之日起（  ）日内。",
        "answer": "六十/60", "basis": "《中华人民共和国行政复议法》第二十条", "difficulty": "2",
        "tags": "行政复议法 执法", "status": "published"})
    assert response.status_code == 302
    qid = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        version = db.session.get(Question, qid).current_version
        assert version.stem == "行政复议申请期限一般为知道之日起____日内。"
        assert version.answer == [["六十", "60"]]
    client.post(f"/bank/questions/{qid}/status", data={"csrf_token": token, "action": "retired"})
    assert "已停用" in client.get(f"/bank/questions/{qid}").get_data(as_text=True)
    client.post(f"/bank/questions/{qid}/status", data={"csrf_token": token, "action": "published"})
    with app.app_context():
        assert db.session.get(Question, qid).status == "published"


def test_new_law_version_flags_citing_questions(app, client, auth, make_user):
    bank_id = setup_bank(app)
    trainer(client, auth, make_user)
    with app.app_context():
        law_id = db.session.scalar(sa.select(Law.id).where(Law.name == "行政处罚法"))
    token = auth.csrf("/bank/laws")
    response = client.post(f"/bank/laws/{law_id}/version", data={"csrf_token": token, "version_date": "2026-06-01"})
    assert response.status_code == 302
    assert "2 道试题已标记为“待复核”" in client.get("/bank/laws").get_data(as_text=True)
    assert "筛选出 2 题" in client.get(f"/bank/{bank_id}?flagged=1").get_data(as_text=True)
    older = client.post(f"/bank/laws/{law_id}/version", data={"csrf_token": token, "version_date": "2020-01-01"})
    assert "新版本日期应晚于当前版本" in client.get(older.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        qid = db.session.scalar(sa.select(Question.id).where(Question.needs_review.is_(True)))
    client.post(f"/bank/questions/{qid}/status", data={"csrf_token": token, "action": "reviewed"})
    assert "筛选出 1 题" in client.get(f"/bank/{bank_id}?flagged=1").get_data(as_text=True)


def test_import_preview_confirm_and_export(app, client, auth, make_user):
    with app.app_context():
        from fazhi_exam.bank.laws import ensure_laws

        ensure_laws()
        db.session.commit()
    trainer(client, auth, make_user)
    token = auth.csrf("/bank/import")
    bad = native_export(QS, bank="新库").replace(b"answer: B", b"answer: F")
    page = client.post("/bank/import", data={"csrf_token": token, "file": (io.BytesIO(bad), "x.yaml"), "bank": "",
                                             "status": "published"}, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert "未导入任何试题" in text and "第 1 题：答案“F”不在选项 A–D 中" in text and "确认导入" not in text
    page = client.post("/bank/import", data={"csrf_token": token, "file": (io.BytesIO(native_export(QS, bank="新库")), "x.yaml"),
                                             "bank": "", "status": "published"}, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert "新试题 <strong>3</strong> 道" in text
    action = re.search(r'action="(/bank/import/[^"]+)"', text).group(1)
    done = client.post(action, data={"csrf_token": token}).get_data(as_text=True)
    assert "已写入 3 / 3 道" in done and "已导入 3 道试题到题库“新库”" in done
    with app.app_context():
        bank_id = db.session.scalar(sa.select(Question.bank_id))
    exported = client.get(f"/bank/{bank_id}/export/yaml")
    assert exported.status_code == 200 and "公民死亡后" in exported.get_data(as_text=True)
    template = client.get("/bank/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_learner_and_village_admin_rules(app, client, auth, make_user, town):
    setup_bank(app)
    make_user("xueyuan")
    make_user("cunguan", roles={"learner", "admin"}, unit="王庄村", scope="王庄村")
    make_user("cunpeixun", roles={"learner", "trainer"}, unit="王庄村", scope="王庄村")
    with app.app_context():
        question_id = db.session.scalar(sa.select(Question.id))
    for username in ("xueyuan", "cunguan", "cunpeixun"):  # a village admin is not a trainer of banks
        auth.login(username)
        for path in ("/bank/", "/bank/laws", "/bank/import", f"/bank/questions/{question_id}",
                     f"/bank/questions/{question_id}/edit", "/bank/template.xlsx"):
            assert client.get(path).status_code == 403, (username, path)
        auth.logout()
