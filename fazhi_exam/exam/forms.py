"""The trainer's exam form: the same fields as an exam definition file."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .. import glossary
from ..models.exam import EXAM_KINDS

RULE_ROWS = 6


class ExamForm(FlaskForm):
    title = StringField("考试名称", validators=[DataRequired("请填写考试名称。"), Length(max=200)])
    kind = SelectField("类型", choices=[(k, v) for k, v in EXAM_KINDS.items() if k != "practice"])
    makeup_of = SelectField("补考对应的正式考试", coerce=int, validate_choice=False)
    opens_at = DateTimeLocalField("开始时间（北京时间）", format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired("请填写开始时间。")])
    closes_at = DateTimeLocalField("结束时间（北京时间）", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired("请填写结束时间。")])
    duration_minutes = IntegerField("答题时长（分钟）", default=60, validators=[NumberRange(1, 1440)])
    max_attempts = IntegerField("允许作答次数", default=1, validators=[NumberRange(1, 100)])
    score_policy = SelectField("计分方式", choices=[("best", "取最高分"), ("last", "取最后一次")])
    pass_score = DecimalField(glossary.name("pass_score"), default=80, places=1, validators=[NumberRange(0, 1000)])
    multiple_policy = SelectField("多选题计分", choices=[
        ("all_or_nothing", "全对才得分"), ("partial", "少选按比例得分，错选不得分"),
        ("partial_half", "少选得一半分，错选不得分")])
    shuffle_questions = BooleanField("题目乱序", default=True)
    shuffle_options = BooleanField("选项乱序", default=True)
    show_score = SelectField("成绩公布", choices=[("immediately", "交卷后立即显示"), ("after_close", "考试结束后显示")])
    show_answers = SelectField("答案与解析", choices=[
        ("after_submit", "交卷后可看"), ("after_close", "考试结束后可看"), ("never", "不公布")])
    leave_limit = IntegerField("离开页面超过几次自动交卷（不填则只记录）",
                               validators=[Optional(), NumberRange(1, 1000)])
    count_makeup = BooleanField("本考试的统计计入补考成绩", default=True)
    include_flagged = BooleanField("也抽取“待复核”的试题（所引法律已修订、尚未复核；记入审计日志）")
