"""GIFT files read as Moodle means them, and nothing changed silently (issue 15): an essay without a
model answer imports; HTML and Markdown become plain text, scripts go with their content; weights,
penalties, partial credit and per-answer feedback our questions cannot hold are each named in a
warning with the question's line; the CLI and the preview show them and import only when the
trainer confirms."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from fazhi_exam.bank import importing
from fazhi_exam.bank.importers import gift
from fazhi_exam.extensions import db
from fazhi_exam.models import Question


def one(text: str):
    result = gift.parse(text.encode("utf-8"), "t.gift")
    assert not result.problems, result.problems
    (q,) = result.questions
    return q


def test_a_moodle_essay_without_a_model_answer_imports(ctx):
    report = importing.check_file("e.gift", "简述村民委员会的职责。 {}\n".encode())
    assert report.ok and [(q.type, q.answer) for q in report.questions] == [("essay", "")]
    assert report.warnings == []  # a Moodle essay loses nothing: it never had a model answer


def test_html_becomes_text_and_a_script_goes_with_its_content():
    q = one("[html]<script>alert(1)</script><p>下列哪项是<b>宪法</b>规定的？</p>{=甲 ~乙 ~丙}")
    assert q.stem == "下列哪项是宪法规定的？" and "alert" not in q.stem
    assert any("<script>" in w and "及其内容" in w for w in q.warnings)
    assert any("<b>" in w for w in q.warnings)
    plain = one("[html]<p>宪法是国家的____。</p>{=根本法}")
    assert plain.warnings == []  # paragraphs only: nothing lost


def test_markdown_becomes_plain_words():
    q = one("[markdown]**宪法**是国家的[根本法](http://example.cn)吗？{T}")
    assert q.stem == "宪法是国家的根本法（http://example.cn）吗？"
    assert any("Markdown" in w for w in q.warnings)


@pytest.mark.parametrize("text, answer, said", [
    ("选出正确的。{~%-100%甲 ~%50%乙 ~%50%丙}", "BC", "错误选项的扣分（A -100%）未导入"),
    ("选出正确的。{~%70%甲 ~%30%乙 ~丙}", "AB", "各正确选项的权重不同（A 70%、B 30%）"),
    ("选出正确的。{~%40%甲 ~%40%乙 ~丙}", "AB", "正确选项的权重合计 80%（不是 100%）"),
    ("选出正确的。{=甲 ~%50%乙 ~丙}", "A", "选项 B 原为 50% 部分得分，导入后按错误选项计"),
    ("选出正确的。{~%50%甲 ~乙 ~丙}", "A", "唯一的正确选项 A 原为 50%"),
])
def test_weights_we_cannot_keep_are_named(text, answer, said):
    q = one(text)
    assert q.answer == answer and any(said in w for w in q.warnings), q.warnings


def test_a_weighted_short_answer_alternative_is_named_not_dropped_silently():
    q = one("宪法是国家的____。{=根本法 =%50%总章程}")
    assert q.answer == [["根本法"]]
    assert q.warnings == ["答案“总章程”原为 50% 部分得分，未作为可接受的答案导入（本系统填空题每空全对才得分）"]


def test_titles_and_per_option_feedback_are_kept_and_written_back():
    q = one("::宪法第一题:: 我国的根本法是？{=宪法#对，宪法是根本法。 ~民法典#不对。}")
    assert (q.title, q.option_feedback, q.warnings) == ("宪法第一题", ["对，宪法是根本法。", "不对。"], [])
    judge = one("全国人大每届任期五年。{T#不对，是五年。#对。}")  # Moodle: first the wrong answer's feedback
    assert (judge.answer, judge.option_feedback) == (True, ["对。", "不对，是五年。"])
    from fazhi_exam.bank.exporters.gift import export

    again = gift.parse(export([q, judge]), "x.gift").questions
    assert [(a.title, a.option_feedback) for a in again] == [(q.title, q.option_feedback), ("", judge.option_feedback)]
    fill = one("宪法是国家的____。{=根本法#对。}")
    assert fill.warnings == ["答案“根本法”的反馈“对。”未导入（填空题的答案不带反馈，只保留整题的解析）"]


def test_two_full_marks_options_are_refused_saying_how_moodle_reads_them():
    result = gift.parse("选出正确的。{=甲 =乙 ~丙}".encode(), "t.gift")
    assert "Moodle 把它读作单选题" in result.problems[0].message


FILE = "\n\n".join(["// 第一题：没有改动", "宪法是国家的根本法。{T}",
                    "选出正确的。{~%70%甲 ~%30%乙 ~丙}", "[html]<p>下列<i>哪项</i>正确？</p>{=甲 ~乙}"]) + "\n"


def test_cli_dry_run_shows_the_warnings_and_import_needs_the_trainers_word(app, runner, tmp_path):
    path = tmp_path / "moodle.gift"
    path.write_text(FILE, encoding="utf-8")
    dry = runner.invoke(args=["bank", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "提示：第 2 题（第 5 行）：各正确选项的权重不同（A 70%、B 30%）" in dry.output
    assert "提示：第 3 题（第 7 行）：HTML 格式已转为纯文字（去掉了 <i> 等标记）" in dry.output
    assert "有 2 处改动或略去的内容" in dry.output
    refused = runner.invoke(args=["bank", "import", str(path)])
    assert refused.exit_code == 1 and "--accept-changes" in refused.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0
    done = runner.invoke(args=["bank", "import", str(path), "--accept-changes"])
    assert done.exit_code == 0 and "已导入 3 道试题" in done.output


def test_preview_lists_the_warnings_and_confirming_needs_the_checkbox(app, client, auth, make_user):
    make_user("trainer", roles={"trainer"})
    auth.login("trainer")
    token = auth.csrf("/bank/import")
    page = client.post("/bank/import", data={"csrf_token": token, "file": (io.BytesIO(FILE.encode()), "m.gift"),
                                             "bank": "", "status": "published"},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "导入时有 2 处改动或略去的内容" in page and "第 2 题（第 5 行）：各正确选项的权重不同" in page
    assert "判断题" in page and "多选题" in page and ">judge<" not in page  # type labels in Chinese
    assert 'name="accept_changes"' in page
    action = re.search(r'action="(/bank/import/[^"]+)"', page).group(1)
    refused = client.post(action, data={"csrf_token": token})
    assert refused.status_code == 400 and "请勾选“我已了解”" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0
