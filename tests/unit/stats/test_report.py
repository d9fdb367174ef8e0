"""The annual report's sentences, tables and .docx on a small year worked out by hand that is NOT all
100 %, plus the wording of a year that is.

2023, audience 村干部 zhang, li (王庄村), wang, zhao (李庄村); pass mark 8 of 13:
  集中学法 宪法 (3月): zhang, li, wang present, zhao on leave (请假, not in 应到) · 民法典 (4月): all four present → 7 / 7.
  第一次考试 (6月): zhang 13, wang 13, li 0 then 13 in the 补考, zhao 0 → 参考 4/4, 合格 3 (1 by 补考) = 75.0 %.
  第二次考试 (11月): zhang 13, wang 13, li 0, zhao absent → 参考 3/4 = 75.0 %, 合格 2/3 = 66.7 %.
  明白人 exam: outsider (法律明白人) and lead (法律带头人) both pass → 100 %.
  明白人 programme: outsider completes, lead does not → 在线学习率 50.0 %.
  No 行政执法人员 exam."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import docx
import pytest
import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.extensions import db
from fazhi_exam.models import Cohort, StudyTime, User
from fazhi_exam.stats import report, report_docx, year
from fazhi_exam.stats.exams import Figures
from fazhi_exam.stats.study import StudyFigures
from fazhi_exam.study.attendance import record
from fazhi_exam.study.materials import create_material
from fazhi_exam.study.plans import SessionFields, add_session, get_or_create_plan
from fazhi_exam.study.programmes import create_programme
from tests.exam_fixtures import T0

SECOND = datetime(2023, 11, 16, 1, 0, tzinfo=UTC)
MINGBAI = datetime(2023, 9, 14, 1, 0, tzinfo=UTC)
AFTER_THE_YEAR = datetime(2024, 1, 10, 2, 0, tzinfo=UTC)


def _user(name):
    return db.session.scalar(sa.select(User).where(User.username == name))


def _cohort(name):
    return db.session.scalar(sa.select(Cohort).where(Cohort.name == name))


def _window(at: datetime) -> dict:
    return {"opens_at": at.isoformat(), "closes_at": (at + timedelta(hours=2)).isoformat()}


@pytest.fixture
def year_2023(app, world, make_user, make_exam, sit):
    ids = dict(world)
    ids["wang"] = make_user("wang", unit="李庄村", cohorts=["村干部"])
    ids["zhao"] = make_user("zhao", unit="李庄村", cohorts=["村干部"])
    ids["lead"] = make_user("lead", unit="王庄村", cohorts=["法律带头人"])
    first = make_exam()
    for name, right in (("zhang", None), ("wang", None), ("li", 0), ("zhao", 0)):
        sit(ids[name], first, right=right)
    makeup = make_exam(title="2023年第一次镇村干部普法考试（补考）", kind="makeup", makeup_of=first,
                       audience={"cohorts": [], "org_units": []}, **_window(T0 + timedelta(days=14)))
    sit(ids["li"], makeup)
    second = make_exam(title="2023年第二次镇村干部普法考试", **_window(SECOND))
    for name, right in (("zhang", None), ("wang", None), ("li", 0)):
        sit(ids[name], second, right=right)
    mingbai = make_exam(title="2023年度法律明白人培训考试", audience={"cohorts": ["法律明白人", "法律带头人"]},
                        **_window(MINGBAI))
    sit(ids["outsider"], mingbai)
    sit(ids["lead"], mingbai)
    with app.app_context():
        plan = get_or_create_plan(None, 2023, "2023年度学法计划")
        cadres = [_cohort("村干部")]
        march = datetime(2023, 3, 8, 7, 0, tzinfo=UTC)
        april = datetime(2023, 4, 12, 7, 0, tzinfo=UTC)
        first_session = add_session(None, plan, SessionFields(march, march + timedelta(hours=2), "宪法", cohorts=cadres))
        second_session = add_session(None, plan, SessionFields(april, april + timedelta(hours=2), "民法典",
                                                               cohorts=cadres))
        for name in ("zhang", "li", "wang"):
            record(None, first_session, _user(name), "present", "rollcall")
        record(None, first_session, _user("zhao"), "leave", "rollcall", reason="病假")
        for name in ("zhang", "li", "wang", "zhao"):
            record(None, second_session, _user(name), "present", "rollcall")
        material = create_material(None, title="民法典学习", kind="text", minutes=10, body="正文")
        create_programme(None, title="2023年度法律明白人、法律带头人培训", year=2023,
                         cohorts=[_cohort("法律明白人"), _cohort("法律带头人")], materials=[material],
                         required_hours=0.1)
        db.session.add(StudyTime(user_id=ids["outsider"], material_id=material.id, seconds=600,
                                 completed_at=MINGBAI))
        db.session.add(StudyTime(user_id=ids["lead"], material_id=material.id, seconds=120))
        db.session.commit()
    clock.freeze(AFTER_THE_YEAR)
    return ids


EXPECTED = [
    "2023年，组织镇村干部集中学法2次，应到7人次、出席7人次，出勤率100%（另有请假1人次）。",
    "组织镇村干部普法考试2次，共应考8人次、参考7人次、合格5人次。"
    "其中“2023年第一次镇村干部普法考试”应考4人、参考4人，合格3人（含补考合格1人），合格率75.0%；"
    "“2023年第二次镇村干部普法考试”应考4人、参考3人，参考率75.0%，合格2人，合格率66.7%。"
    "本年度未组织行政执法人员考试。",
    "现有法律带头人1名、法律明白人1名，开展“2023年度法律明白人、法律带头人培训”在线学习，应学2人、完成1人，"
    "在线学习率50.0%。组织法律明白人、法律带头人培训考试1次，应考2人、参考2人，参考率、合格率均为100%。",
]


def test_sentences_of_a_year_not_all_100(app, year_2023):
    with app.app_context():
        assert report.paragraphs(year.summary(2023)) == EXPECTED


def test_tables_hold_the_numbers_the_sentences_cite(app, year_2023):
    with app.app_context():
        sessions, exams, programmes, people = report.tables(year.summary(2023))
    assert sessions.header[-1] == "出勤率"
    assert [r[2:] for r in sessions.rows] == [
        ["宪法", "村干部", "3", "3", "1", "0", "0", "100%"],
        ["民法典", "村干部", "4", "4", "0", "0", "0", "100%"],
        ["镇村干部集中学法合计2次（人次）", "", "7", "7", "1", "0", "0", "100%"]]
    assert exams.header == ["序号", "考试名称", "考试日期", "考试对象", "应考", "免考", "参考", "参考率", "合格",
                            "其中补考合格", "合格率", "合格/应考", "平均分"]
    assert exams.rows == [
        ["1", "2023年第一次镇村干部普法考试", "6月1日", "村干部", "4", "0", "4", "100%", "3", "1", "75.0%", "75.0%",
         "9.8"],
        ["2", "2023年第二次镇村干部普法考试", "11月16日", "村干部", "4", "0", "3", "75.0%", "2", "0", "66.7%",
         "50.0%", "8.7"],
        ["", "镇村干部普法考试合计2次（人次）", "", "", "8", "0", "7", "87.5%", "5", "1", "71.4%", "62.5%", ""],
        ["3", "2023年度法律明白人培训考试", "9月14日", "法律带头人、法律明白人", "2", "0", "2", "100%", "2", "0",
         "100%", "100%", "13"]]
    assert [link[0] for link in exams.links if link] == ["exam", "exam", "exam"]
    assert programmes.rows == [["1", "2023年度法律明白人、法律带头人培训", "法律带头人、法律明白人", "2", "0", "1",
                                "1", "50.0%"]]
    assert dict(people.rows) == {"镇干部": "0", "村干部": "4", "行政执法人员": "0", "法律带头人": "1",
                                 "法律明白人": "1"}


def test_docx_holds_title_sentences_tables_and_definitions(app, year_2023):
    with app.app_context():
        content = report_docx.docx_bytes(year.summary(2023), "大张楼镇",
                                    generated_at=datetime(2024, 1, 10, 2, 5, tzinfo=UTC))
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "大张楼镇2023年度学法考法工作情况（法治政府建设报告材料）"
    for sentence in EXPECTED:
        assert sentence in texts
    assert "生成时间：2024年1月10日 10:05（北京时间），数据来自法治学考平台的记录。" in texts
    assert any("合格率 = 合格人数 ÷ 参考人数" in t for t in texts)
    cells = [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]
    assert len(cells) == 4
    assert cells[0][0][:3] == ["序号", "日期", "学习主题"]
    assert ["3", "2023年度法律明白人培训考试", "9月14日", "法律带头人、法律明白人", "2", "0", "2", "100%", "2",
            "0", "100%", "100%", "13"] in cells[1]
    assert "66.7%" in cells[1][2]
    assert cells[2][1][-1] == "50.0%"


def test_definitions_use_the_tooltips_words(app):
    """The note of definitions says what the statistics pages' tooltips say."""
    defs = app.jinja_env.get_template("stats/_figures.html").module.DEF
    note = "\n".join(report.definitions())
    for text in defs.values():
        assert text in note


# --- wording, on summaries written out by hand (no database) ------------------------------------

def _exam(title: str, groups: set[str], **figures) -> year.ExamLine:
    return year.ExamLine(SimpleNamespace(title=title), Figures(**figures), groups)


def _programme(title: str, members: int, completed: int) -> year.ProgrammeLine:
    cohorts = [SimpleNamespace(name="法律明白人"), SimpleNamespace(name="法律带头人")]
    return year.ProgrammeLine(SimpleNamespace(title=title, cohorts=cohorts), StudyFigures("合计", members, completed))


def test_a_year_all_at_100_reads_like_the_township_report():
    s = year.YearSummary(2023, None, cohort_sizes={"法律带头人": 30, "法律明白人": 90})
    s.exams = [_exam("第一次干部考试", {"cadre"}, expected=150, took=150, passed=150, via_makeup=3),
               _exam("第二次干部考试", {"cadre"}, expected=150, took=150, passed=150),
               _exam("第一次执法考试", {"enforcement"}, expected=20, took=20, passed=20),
               _exam("第二次执法考试", {"enforcement"}, expected=20, took=20, passed=20),
               _exam("明白人考试", {"mingbai"}, expected=120, took=120, passed=120)]
    s.programmes = [_programme("明白人培训", 120, 120)]
    exams, mingbai = report.paragraphs(s)[1:]
    assert exams == ("组织镇村干部普法考试2次，行政执法人员考试2次，共参考340人次，参考率、合格率均为100%"
                     "（其中3人经补考合格）。")
    assert mingbai == ("现有法律带头人30名、法律明白人90名，开展“明白人培训”在线学习，应学120人、完成120人；"
                       "组织法律明白人、法律带头人培训考试1次，参考120人，在线学习率和考试参考率、合格率均达到100%。")


def test_rates_below_100_are_named_exam_by_exam_with_one_decimal():
    s = year.YearSummary(2023, None)
    s.exams = [_exam("甲考试", {"enforcement"}, expected=15, took=15, passed=14),
               _exam("乙考试", {"enforcement"}, expected=20, took=19, passed=19),
               _exam("丙考试", {"enforcement"}, expected=10, took=10, passed=9, pending=1),
               _exam("丁考试", {"enforcement"}, expected=5)]
    text = report.paragraphs(s)[1]
    assert text == ("组织行政执法人员考试4次，共应考50人次、参考44人次、合格42人次。"
                    "其中“甲考试”应考15人、参考15人，合格14人，合格率93.3%；"
                    "“乙考试”应考20人、参考19人，参考率95.0%，合格19人，合格率100%；"
                    "“丙考试”应考10人、参考10人，合格9人，合格率90.0%，另有1人的答卷待阅卷，暂未计为合格；"
                    "“丁考试”应考5人，无人参考。本年度未组织镇村干部普法考试。")


def test_all_passed_but_some_missed_the_exam():
    s = year.YearSummary(2023, None)
    s.exams = [_exam("第一次干部考试", {"cadre"}, expected=153, took=152, passed=152, via_makeup=15),
               _exam("第二次干部考试", {"cadre"}, expected=153, took=153, passed=153)]
    assert report.paragraphs(s)[1] == (
        "组织镇村干部普法考试2次，共应考306人次、参考305人次，合格率均为100%；"
        "其中“第一次干部考试”应考153人、参考152人，参考率99.3%，15人经补考合格。本年度未组织行政执法人员考试。")
    assert report.paragraphs(year.YearSummary(2023, None)) == [
        "2023年，未组织镇村干部集中学法。", "本年度未组织镇村干部普法考试。本年度未组织行政执法人员考试。"]
