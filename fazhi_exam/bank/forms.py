"""Forms for banks, questions, laws and bank imports."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .laws import KIND_LABELS
from .types import TYPE_LABELS


class BankForm(FlaskForm):
    name = StringField("题库名称", validators=[DataRequired("请填写题库名称。"), Length(max=100)])
    description = TextAreaField("说明", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("保存")


class QuestionForm(FlaskForm):
    type = SelectField("题型", choices=list(TYPE_LABELS.items()))
    stem = TextAreaField("题干（填空题用 ____ 表示每个空）", validators=[DataRequired("请填写题干。")])
    options = TextAreaField("选项（单选、多选：每行一个，依次为 A、B、C……）")
    answer = TextAreaField("答案", validators=[DataRequired("请填写答案。")])
    explanation = TextAreaField("解析", validators=[Optional(), Length(max=5000)])
    basis = StringField("法律依据（如《中华人民共和国行政处罚法》第三十六条）",
                        validators=[Optional(), Length(max=500)])
    difficulty = IntegerField("难度（1 最易，5 最难）", default=3,
                              validators=[NumberRange(1, 5, "难度应为 1–5。")])
    tags = StringField("标签（用顿号或逗号分隔，如 行政处罚法、执法）", validators=[Optional(), Length(max=400)])
    grading_points = TextAreaField("评分要点（简答题：每行一条）", validators=[Optional()])
    option_feedback = TextAreaField("选项反馈（可不填；答题后显示，每行一条，如 B：……；判断题写 对：…… 错：……）",
                                    validators=[Optional(), Length(max=20000)])
    title = StringField("题目名称（可不填）", validators=[Optional(), Length(max=255)])
    note = StringField("修改说明（记入版本历史）", validators=[Optional(), Length(max=200)])
    submit = SubmitField("保存")


class LawForm(FlaskForm):
    name = StringField("简称（如 行政处罚法）", validators=[DataRequired("请填写简称。"), Length(max=100)])
    title = StringField("全称（如 中华人民共和国行政处罚法）", validators=[Optional(), Length(max=200)])
    kind = SelectField("类型", choices=list(KIND_LABELS.items()))
    version_date = DateField("现行版本日期", validators=[Optional()])
    submit = SubmitField("添加")


class LawVersionForm(FlaskForm):
    version_date = DateField("新版本日期", validators=[DataRequired("请填写新版本的日期。")])
    submit = SubmitField("记录新版本")


class BankImportForm(FlaskForm):
    file = FileField("题库文件", validators=[FileRequired("请选择文件。")])
    bank = StringField("导入到题库（不填则用文件中的题库名或文件名）", validators=[Optional(), Length(max=100)])
    status = SelectField("导入后状态", choices=[("published", "直接发布"), ("draft", "草稿")])
    submit = SubmitField("上传并预览")
