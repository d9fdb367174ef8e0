"""A file over an import limit is a problem on the preview page (never a 500), and nothing is kept."""
from __future__ import annotations

import io

import docx
import sqlalchemy as sa

from fazhi_exam import limits
from fazhi_exam.extensions import db
from fazhi_exam.models import PendingImport, Question, User


def _upload(client, auth, path: str, filename: str, content: bytes, **fields):
    token = auth.csrf(path)
    return client.post(path, data={"csrf_token": token, "file": (io.BytesIO(content), filename), **fields},
                       content_type="multipart/form-data")


def test_bank_preview_refuses_a_docx_over_the_paragraph_limit(app, client, auth, make_user, monkeypatch):
    make_user("peixun", roles={"trainer"})
    auth.login("peixun")
    monkeypatch.setattr(limits, "MAX_PARAGRAPHS", 50)
    document = docx.Document()
    for i in range(60):
        document.add_paragraph(f"{i + 1}. 第{i + 1}题（  ）")
    buffer = io.BytesIO()
    document.save(buffer)
    page = _upload(client, auth, "/bank/import", "大题库.docx", buffer.getvalue(), bank="", status="published")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "文件“大题库.docx”有 60 段，超过每个文件 50 段的上限，已拒绝处理（请拆分成几个文件）。" in text
    assert "确认导入" not in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingImport)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_user_preview_refuses_a_roster_over_the_row_limit(app, client, auth, make_user, town, monkeypatch):
    make_user("guanli", roles={"admin"})
    auth.login("guanli")
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    rows = ["姓名,用户名或手机号,单位,人员类别,角色,初始密码"] + [
        f"村民{i},1370000000{i},王庄村,法律明白人,学员,Chushi@123" for i in range(5)]
    page = _upload(client, auth, "/admin/users/import", "名单.csv", "\n".join(rows).encode())
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "文件“名单.csv”至少有 4 行数据，超过每个文件 3 行数据的上限，已拒绝处理（请拆分成几个文件）。" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingImport)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
