"""A trainer may change an exam until someone starts it, then only what cannot change a score; a draft
nobody started may be deleted (issue 16). Every change is audited and checked like a new exam."""
from __future__ import annotations

import json
import re

import sqlalchemy as sa

from fazhi_exam.extensions import db
from fazhi_exam.models import AuditEvent, Exam


def _form(client, exam_id: int) -> dict:
    """The edit form as the browser would post it back, unchanged."""
    page = client.get(f"/manage/exams/{exam_id}/edit").get_data(as_text=True)
    data: dict = {}
    for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*>', page):
        tag, name = m.group(0), m.group(1)
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data.setdefault(name, []).append(re.search(r'value="([^"]*)"', tag).group(1) if 'value="' in tag else "y")
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name] = value.group(1) if value else ""
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        values = []
        for tag, text in re.findall(r'(<option[^>]*>)([^<]*)', m.group(2)):
            if re.search(r'\sselected', tag):
                value = re.search(r'value="([^"]*)"', tag)
                values.append(value.group(1) if value else text.strip())
        if values:
            data[m.group(1)] = values if m.group(1) in ("org_units",) else values[0]
    return data


def test_edit_before_and_after_the_first_attempt_and_delete_a_draft(app, client, auth, world, make_exam, make_user,
                                                                    sit):
    exam_id = make_exam()
    make_user("trainer", roles={"trainer"})
    auth.login("trainer")
    data = _form(client, exam_id)
    assert data["title"] == "2023年第一次镇村干部普法考试" and data["rule-0-count"] == "5"
    data.update(title="2023年第一次镇村干部普法考试（修订）", pass_score="9", **{"rule-0-count": "6"})
    done = client.post(f"/manage/exams/{exam_id}/edit", data=data, follow_redirects=True).get_data(as_text=True)
    assert "已保存修改。" in done, re.findall(r"alert[^>]*>([^<]*)", done) + re.findall(r"invalid-feedback[^>]*>([^<]*)", done)
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert (exam.title, exam.pass_score, exam.rules[0].count, exam.total_points) == (
            "2023年第一次镇村干部普法考试（修订）", 9, 6, 14)
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "exam_updated"))
        assert set(json.loads(event.details)["changed"]) == {"title", "pass_score", "paper"}

    sit(world["zhang"], exam_id)  # someone has started (and finished)
    data = _form(client, exam_id)
    refused = client.post(f"/manage/exams/{exam_id}/edit", data={**data, "pass_score": "5"}).get_data(as_text=True)
    assert "已有人开始作答，不能再修改：合格分" in refused
    allowed = client.post(f"/manage/exams/{exam_id}/edit", data={**data, "show_answers": "never"},
                          follow_redirects=True).get_data(as_text=True)
    assert "已保存修改。" in allowed
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert (exam.pass_score, exam.show_answers) == (9, "never")
    token = auth.csrf(f"/manage/exams/{exam_id}")
    kept = client.post(f"/manage/exams/{exam_id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "只能删除草稿" in kept.get_data(as_text=True)

    with app.app_context():
        from fazhi_exam.exam.definitions import create_exam, parse_spec
        from tests.exam_fixtures import DEFINITION

        draft_id = create_exam(None, parse_spec(dict(DEFINITION, title="草稿考试"))).id
        db.session.commit()
    gone = client.post(f"/manage/exams/{draft_id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "已删除草稿“草稿考试”。" in gone.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Exam, draft_id) is None
        assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "exam_deleted")) is not None
