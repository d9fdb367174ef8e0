"""The definitions of the figures (DESIGN §5), in one wording: the pages' tooltips, the report's
note of definitions and the API's "definitions" all read them from here."""
from __future__ import annotations

FIGURES = {
    "expected": ("应考人数：考试结束时属于考试对象（人员类别、单位）的人员，不含登记免考的人员；"
                 "已参加考试的人员始终计入。"),
    "excused": ("免考、请假、免学：培训管理员（请假也可由村级管理员为本村人员）登记并写明原因的人员，"
                "单列，不计入应考、应到、应学人数。"),
    "took": "参考人数：应考人员中有已交卷答卷的人数。",
    "took_rate": "参考率 = 参考人数 ÷ 应考人数。",
    "passed": "合格人数：计分成绩（按考试设置取最高或最后一次）达到合格分的人数；计入补考时，补考合格也算合格。",
    "pass_rate": "合格率 = 合格人数 ÷ 参考人数（通行口径）。",
    "pass_rate_expected": "合格/应考 = 合格人数 ÷ 应考人数。",
    "mean": "平均分、最高分、最低分：按每人的最终成绩计算，待阅卷的答卷不计入。",
    "attendance": "出勤率 = 出席人数 ÷ 应到人数；应到人数不含请假人员；请假、补学单列，不计为出席。",
    "study_rate": ("在线学习率 = 完成培训项目的人数 ÷ 应学人数。完成：学完全部必学资料、达到规定学时，"
                   "并参加了项目规定的全部集中学习（出席或补学）；应学：项目截止日属于项目对象人员类别的人员，"
                   "不含登记免学的人员。"),
}
