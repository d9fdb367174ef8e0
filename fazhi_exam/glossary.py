"""One word for each figure and each thing a user reads about exams and study (DESIGN §5 names).

Pages (the template global `terms`), the Excel/CSV column heads, the report's tables and the error
messages take their names from here. `AVOID` lists the other words people use for the same things
(及格分 for 合格分, 实考人数 for 参考人数 …); tests/unit/test_glossary.py refuses them in every template,
every string of the code and in the exported files, so a page and its export never call one figure by
two names. The definitions of the figures (tooltips, the report's note) are in stats/definitions.py."""
from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    name: str   # in exports, the report's prose and messages
    short: str  # a narrow column head on a page or in the report's wide tables


def _term(name: str, short: str | None = None) -> Term:
    return Term(name, short or name)


TERMS: dict[str, Term] = {
    # exams
    "expected": _term("应考人数", "应考"),
    "excused": _term("免考人数", "免考"),
    "took": _term("参考人数", "参考"),
    "missed": _term("缺考人数", "缺考"),
    "took_rate": _term("参考率"),
    "passed": _term("合格人数", "合格"),
    "via_makeup": _term("其中补考合格"),
    "pass_rate": _term("合格率"),
    "pass_rate_expected": _term("合格/应考"),
    "mean": _term("平均分"),
    "high": _term("最高分", "最高"),
    "low": _term("最低分", "最低"),
    "pending": _term("待阅卷"),
    "pass_score": _term("合格分"),
    "score": _term("成绩"),
    # study sessions
    "attendance_expected": _term("应到人数", "应到"),
    "present": _term("出席"),
    "leave": _term("请假"),
    "makeup": _term("补学"),
    "absent": _term("缺席"),
    "attendance": _term("出勤率"),
    # programmes
    "study_expected": _term("应学人数", "应学"),
    "study_excused": _term("免学人数", "免学"),
    "completed": _term("已完成"),
    "unfinished": _term("未完成"),
    "study_rate": _term("在线学习率"),
    "hours": _term("学时"),
}

# A word a user must never read → the word we use for the same thing.
AVOID: dict[str, str] = {
    "及格": "合格",
    "合格线": "合格分",
    "通过率": "合格率",
    "实考": "参考",
    "考试人数": "参考人数",
    "应参考": "应考",
    "到课": "出席",
    "出勤人数": "出席人数",
    "缺勤": "缺席",
    "课时": "学时",
    "重考": "补考",
    "缓考": "免考",
}


def name(key: str) -> str:
    return TERMS[key].name


def short(key: str) -> str:
    return TERMS[key].short


def avoided_in(text: str) -> list[str]:
    """The avoided words in a text, each with the word to use instead ("及格 → 合格")."""
    return [f"{bad} → {good}" for bad, good in AVOID.items() if bad in text]
