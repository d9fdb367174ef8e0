"""Small things people noticed (issue 16): the site has an icon, a .csv says its charset once, times are
shown to the minute, a status change reads as a sentence, practice shows no 标记 button."""
from __future__ import annotations

import re


def test_favicon_and_csv_content_type(client, auth, make_user):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    make_user("admin", roles={"admin"})
    auth.login("admin")
    csv = client.get("/stats/export?year=2023&format=csv&table=summary")
    assert csv.status_code == 200 and csv.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_exam_times_have_no_seconds_and_publishing_reads_right(app, client, auth, make_user, world, make_exam):
    exam_id = make_exam()
    make_user("trainer", roles={"trainer"})
    auth.login("trainer")
    page = client.get(f"/manage/exams/{exam_id}").get_data(as_text=True)
    assert "2023-06-01 09:00 — 2023-06-01 11:00" in page
    assert not re.search(r"\d{2}:\d{2}:\d{2}", page)
    token = auth.csrf(f"/manage/exams/{exam_id}")
    done = client.post(f"/manage/exams/{exam_id}/status", data={"csrf_token": token, "status": "closed"},
                       follow_redirects=True).get_data(as_text=True)
    assert "考试已结束。" in done and "已已" not in done


def test_practice_has_no_flag_button(client, auth, world):
    auth.login("zhang")
    page = client.get("/practice/question").get_data(as_text=True)
    assert "question-card" in page and "标记" not in page and "朗读" in page


def test_drill_down_lists_say_what_they_are(app, client, auth, make_user, world, make_exam, sit):
    exam_id = make_exam()
    sit(world["zhang"], exam_id)  # every question right: passes; li does not sit
    make_user("admin", roles={"admin"})
    auth.login("admin")
    missed = client.get(f"/stats/exams/{exam_id}/people?who=missed").get_data(as_text=True)
    assert "缺考人员（1 人）" in missed and "参考率 = 参考人数 ÷ 应考人数。这里是应考而没有参考的人" in missed
    failed = client.get(f"/stats/exams/{exam_id}/people?who=failed").get_data(as_text=True)
    assert "不合格人员（0 人）" in failed and "没有不合格的人。" in failed and "合格率 = 合格人数 ÷ 参考人数" in failed
