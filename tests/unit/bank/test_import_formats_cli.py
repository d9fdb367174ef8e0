"""`fazhi-exam bank import` on real-looking files of every format: the format is detected from
the file, the answers land as intended, and a hostile file is refused."""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import docx
import sqlalchemy as sa

from fazhi_exam.bank.questions import as_parsed
from fazhi_exam.extensions import db
from fazhi_exam.models import Bank, Question, QuestionVersion

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def answers(app, bank: str) -> list:
    with app.app_context():
        rows = db.session.scalars(sa.select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
                                  .join(Bank, Bank.id == Question.bank_id).where(Bank.name == bank).order_by(Question.id))
        return [(q.type, q.answer) for q in map(as_parsed, rows)]


def test_gift_file(app, runner):
    refused = runner.invoke(args=["bank", "import", str(SAMPLES / "moodle_export.gift"), "--bank", "宪法GIFT"])
    assert refused.exit_code == 1 and "部分得分" in refused.output  # weights a blank cannot hold
    result = runner.invoke(args=["bank", "import", str(SAMPLES / "moodle_export.gift"), "--bank", "宪法GIFT",
                                 "--accept-changes"])
    assert result.exit_code == 0, result.output
    assert "格式：Moodle GIFT" in result.output
    got = answers(app, "宪法GIFT")
    assert got[0] == ("single", "B")  # 一切权力属于人民
    assert ("judge", True) in got or ("judge", False) in got


def test_aiken_in_a_txt_file(app, runner, tmp_path):
    path = tmp_path / "aiken.txt"
    shutil.copy(SAMPLES / "sample.aiken.txt", path)
    result = runner.invoke(args=["bank", "import", str(path), "--bank", "宪法Aiken"])
    assert result.exit_code == 0, result.output
    assert "格式：Moodle Aiken" in result.output
    assert [a for _, a in answers(app, "宪法Aiken")][:4] == ["A", "B", "C", "D"]


def test_chinese_layout_txt_in_gb18030(app, runner, tmp_path):
    path = tmp_path / "乡镇题库.txt"
    shutil.copy(SAMPLES / "题库样例.txt", path)
    dry = runner.invoke(args=["bank", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "格式：文本题库" in dry.output
    result = runner.invoke(args=["bank", "import", str(path), "--bank", "样例"])
    assert result.exit_code == 0
    got = answers(app, "样例")
    assert got[:4] == [("single", "C"), ("single", "B"), ("single", "D"), ("single", "B")]


def test_docx_file(app, runner, tmp_path):
    document = docx.Document()
    for line in ["一、单选题", "1. 行政复议申请人可以自知道行政行为之日起（  ）日内提出申请。",
                 "A. 十五  B. 三十  C. 六十  D. 九十", "答案：C", "解析：行政复议法第二十条。",
                 "二、判断题", "2. 人民调解委员会调解民间纠纷，不收取任何费用。（√）",
                 "三、多选题", "3．下列属于行政处罚的有（  ）", "A．警告", "B．罚款", "C．记过", "D．行政拘留", "答案：ABD"]:
        document.add_paragraph(line)
    path = tmp_path / "培训题.docx"
    document.save(path)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "格式：Word 题库" in result.output and "题库：培训题" in result.output
    assert answers(app, "培训题") == [("single", "C"), ("judge", True), ("multiple", "ABD")]


def test_problems_are_named_and_nothing_is_written(app, runner, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("一、单选题\n1. 第一题？\nA. 甲\nB. 乙\n答案：C\n\n2. 第二题？\nA. 甲\nB. 乙\n答案：A\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1
    assert "第 1 题" in result.output and "未导入任何试题" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_hostile_xlsx_is_refused_quickly(app, runner, tmp_path):
    path = tmp_path / "bomb.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<row>" + b" " * (300 * 1024 * 1024) + b"</row>")
    path.write_bytes(buf.getvalue())
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1 and "解压后过大" in result.output
