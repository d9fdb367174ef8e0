"""Importing the native format and the Excel template: all or nothing, named problems, messy
real files, duplicates skipped, lossless round trips, and the CLI."""
from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa
import yaml

from fazhi_exam.bank import importing
from fazhi_exam.bank.exporters import excel as excel_export
from fazhi_exam.bank.exporters import native as native_export
from fazhi_exam.bank.exporting import export_bank
from fazhi_exam.bank.importers.base import ParsedQuestion
from fazhi_exam.errors import ValidationError
from fazhi_exam.extensions import db
from fazhi_exam.models import Question, QuestionVersion

SAMPLE = [
    ParsedQuestion("single", "违法行为在几年内未被发现的，不再给予行政处罚？", ["一年", "二年", "三年", "五年"], "B",
                   "第三十六条规定二年内未被发现的不再给予行政处罚。", "《中华人民共和国行政处罚法》第三十六条", 2,
                   ["行政处罚法", "执法"]),
    ParsedQuestion("multiple", "下列属于行政处罚种类的有？", ["警告", "罚款", "行政拘留", "记过"], "ABC",
                   "第九条。", "《中华人民共和国行政处罚法》第九条", 2, ["行政处罚法", "执法"]),
    ParsedQuestion("judge", "=SUM(A1) 行政处罚遵循公正、公开的原则。", [], True, "第五条。",
                   "《中华人民共和国行政处罚法》第五条", 1, ["干部"]),
    ParsedQuestion("fill", "违法行为在____年内未被发现的，不再给予____。", [], [["二", "2", "两"], ["行政处罚"]],
                   "第三十六条。", "《中华人民共和国行政处罚法》第三十六条", 3, ["执法"]),
    ParsedQuestion("essay", "案例：执法人员独自一人当场罚款500元。问：有何违法之处？", [], "参考答案：应当两人以上……",
                   "", "《中华人民共和国行政处罚法》第四十二条", 4, ["执法", "案例"],
                   ["指出执法人员不得少于两人（5分）", "指出当场罚款限额（5分）"]),
]


def native_bytes(questions=SAMPLE, bank="行政处罚法") -> bytes:
    return native_export.export(questions, bank=bank, description="测试题库")


def template_rows(rows, header=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header or ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "法律依据", "难度", "标签"])
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append([None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def current_questions(bank_name: str) -> list[ParsedQuestion]:
    from fazhi_exam.bank.questions import as_parsed, bank_by_name

    bank = bank_by_name(bank_name)
    versions = db.session.scalars(sa.select(QuestionVersion).join(
        Question, Question.current_version_id == QuestionVersion.id).where(Question.bank_id == bank.id)
        .order_by(Question.id))
    return [as_parsed(v) for v in versions]


def test_native_import_then_reimport_skips_duplicates(ctx):
    report = importing.import_file(None, "bank.yaml", native_bytes())
    db.session.commit()
    assert report.created == 5 and report.bank_name == "行政处罚法"
    assert current_questions("行政处罚法") == SAMPLE
    again = importing.check_file("bank.yaml", native_bytes())
    assert again.ok and len(again.duplicates) == 5 and not again.questions


def test_one_bad_question_imports_nothing_and_is_named(ctx):
    data = yaml.safe_load(native_bytes())
    data["questions"][1]["answer"] = "AE"       # 第 2 题: E is not an option
    data["questions"][3]["answer"] = [["二"]]   # 第 4 题: two blanks, one answer
    content = yaml.safe_dump(data, allow_unicode=True).encode()
    report = importing.check_file("bank.yaml", content)
    messages = [str(p) for p in report.problems]
    assert messages == ["第 2 题：答案“AE”不在选项 A–D 中", "第 4 题：题干有 2 个空，但给了 1 个答案"]
    with pytest.raises(ValidationError):
        importing.import_file(None, "bank.yaml", content)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_yaml_alias_bomb_and_garbage_are_refused(ctx):
    bomb = b"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nquestions: [*b, *b]\n"
    assert "别名" in str(importing.check_file("x.yaml", bomb).problems[0])
    assert "格式有误" in str(importing.check_file("x.yaml", b"questions: [\n  - {").problems[0])
    assert "UTF-8" in str(importing.check_file("x.yaml", "题".encode("gbk") + b"\xff").problems[0])


def test_messy_real_excel_sheet(ctx):
    rows = [
        ["单选题", "行政处罚的设定和实施应当遵循什么原则？", "公正、公开", "从重", "从快", "秘密", "Ａ", "第五条", "《中华人民共和国行政处罚法》第五条", 2, "执法"],
        ["多选", "下列属于行政处罚的有？", "警告", "罚款", "记过", "没收违法所得", "A、B、D", "", "", "", "执法，干部"],
        ["多项选择题", "下列属于行政强制措施的有？", "查封", "扣押", "罚款", "冻结", "a,b,d", "", "", "3", ""],
        ["多选", "行政处罚决定书应当载明哪些事项？", "当事人姓名", "违法事实", "处罚依据", "执法人员籍贯", "ａｂｃ", "", "", "", ""],
        ["判断", "行政处罚遵循公正、公开的原则。", "", "", "", "", "√", "", "", "易", ""],
        ["判断题", "罚款可以由作出决定的执法人员自行收缴保管。", "", "", "", "", "错误", "", "", "", ""],
        ["判断", "当事人有权进行陈述和申辩。", None, None, None, None, "T", None, None, None, None],
        ["填空", "违法行为在（   ）年内未被发现的，不再给予行政处罚。", "", "", "", "", "二/两/2", "", "", "", ""],
        ["简答", "简述行政处罚的种类。", "", "", "", "", "警告、通报批评；罚款……", "", "", "", ""],
    ]
    report = importing.import_file(None, "real.xlsx", template_rows(rows), bank_name="练习")
    db.session.commit()
    assert report.created == 9
    got = current_questions("练习")
    assert [q.answer for q in got[:7]] == ["A", "ABD", "ABD", "ABC", True, False, True]
    assert got[0].difficulty == 2 and got[4].difficulty == 1 and got[2].difficulty == 3
    assert got[1].tags == ["执法", "干部"]
    assert got[7].stem == "违法行为在____年内未被发现的，不再给予行政处罚。"
    assert got[7].answer == [["二", "两", "2"]]


def test_excel_errors_name_rows(ctx):
    rows = [
        ["单选", "题一？", "甲", "乙", "", "", "C", "", "", "", ""],
        ["问答", "题二？", "", "", "", "", "x", "", "", "", ""],
        ["判断", "题三。", "", "", "", "", "也许", "", "", "", ""],
        ["多选", "题四？", "甲", "乙", "丙", "", "A", "", "", "", ""],
        ["单选", "题五？", "甲", "乙", "", "", "A", "", "", "9", ""],
    ]
    report = importing.check_file("bad.xlsx", template_rows(rows))
    assert [str(p) for p in report.problems] == [
        "第 3 行：未知题型“问答”（可选：单选、多选、判断、填空、简答）",
        "第 4 行：无法识别判断题答案“也许”（可写 对/错、√/×、正确/错误、T/F）",
        "第 2 行：答案“C”不在选项 A–B 中",
        "第 4 行：判断题答案应为“对”或“错”",
        "第 5 行：多选题至少应有两个正确答案",
        "第 6 行：难度应为 1–5 的整数",
    ]


def test_excel_missing_columns(ctx):
    report = importing.check_file("x.xlsx", template_rows([["a"]], header=["题目", "选项"]))
    assert "缺少“题型、答案”列" in str(report.problems[0])


def test_round_trip_native_and_excel(ctx):
    importing.import_file(None, "bank.yaml", native_bytes())
    db.session.commit()
    for fmt in ("yaml", "xlsx"):
        content, count = export_bank("行政处罚法", fmt)
        assert count == 5
        report = importing.import_file(None, f"back.{'yaml' if fmt == 'yaml' else 'xlsx'}", content,
                                       bank_name=f"回读{fmt}")
        db.session.commit()
        assert report.created == 5
        assert current_questions(f"回读{fmt}") == SAMPLE, fmt


def test_excel_export_never_writes_formulas(ctx):
    content = excel_export.export(SAMPLE)
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    cell = ws["B4"]
    assert cell.value.startswith("=SUM") and cell.data_type == "s"


def test_cli_import_dry_run_import_and_export(app, runner, tmp_path):
    path = tmp_path / "chufa.yaml"
    path.write_bytes(native_bytes())
    dry = runner.invoke(args=["bank", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "将导入 5 道试题" in dry.output and "单选题 1 道" in dry.output
    done = runner.invoke(args=["bank", "import", str(path)])
    assert done.exit_code == 0 and "已导入 5 道试题到题库“行政处罚法”" in done.output
    again = runner.invoke(args=["bank", "import", str(path)])
    assert "重复题 5 道" in again.output and "已导入 0 道" in again.output
    out = tmp_path / "out.xlsx"
    exported = runner.invoke(args=["bank", "export", "行政处罚法", "--format", "xlsx", "-o", str(out)])
    assert exported.exit_code == 0 and out.exists()
    missing = runner.invoke(args=["bank", "export", "没有这个库", "--format", "yaml", "-o", str(out)])
    assert missing.exit_code == 1 and "没有名为“没有这个库”的题库" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("bank: x\nquestions:\n  - {type: single, stem: 只有题干的题目, options: [甲], answer: A}\n")
    result = runner.invoke(args=["bank", "import", str(bad)])
    assert result.exit_code == 1 and "第 1 题：选项应为 2–8 个" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 5
