"""WTForms for login, passwords, users, units, cohorts and imports."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..models import ROLES, UNIT_KINDS
from .passwords import PASSWORD_HINT


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class DayField(DateField):
    """A calendar day (type="date" in the browser) with a Chinese message for a malformed one."""

    def __init__(self, label: str, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("日期格式应为“年-月-日”，如 2023-07-01。") from exc


class LoginForm(FlaskForm):
    username = StringField("用户名或手机号", validators=[DataRequired("请输入用户名或手机号。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。")])
    submit = SubmitField("登录")


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField("原密码", validators=[DataRequired("请输入原密码。")])
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码。")],
                                 description=PASSWORD_HINT)
    confirm = PasswordField("再次输入新密码", validators=[
        DataRequired("请再次输入新密码。"), EqualTo("new_password", "两次输入的新密码不一致。")])
    submit = SubmitField("修改密码")


class UserForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=50)])
    username = StringField("用户名或手机号", validators=[DataRequired("请填写用户名或手机号。")])
    phone = StringField("手机号（可选）", validators=[Optional(), Length(max=20)])
    org_unit_id = SelectField("所属单位", coerce=int)
    cohort_ids = MultiCheckboxField("人员类别", coerce=int)
    roles = MultiCheckboxField("角色", choices=list(ROLES.items()))
    scope_unit_id = SelectField("管理范围（培训管理员、管理员）", coerce=int)
    # 入册日期 when creating, 调入日期 when the unit or cohorts change: the roster's history
    # starts there (empty = today). The route sets the label for the page it is on.
    effective_on = DayField("入册日期")
    password = PasswordField("初始密码（首次登录须修改）", description=PASSWORD_HINT)
    submit = SubmitField("保存")


class ToggleActiveForm(FlaskForm):
    """停用 / 启用 with the day it took effect (调离日期 / 启用日期; empty = today)."""

    effective_on = DayField("日期")
    submit = SubmitField("确认")


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField("临时密码（用户登录后须修改）",
                                 validators=[DataRequired("请输入临时密码。")], description=PASSWORD_HINT)
    submit = SubmitField("重置密码")


class OrgUnitForm(FlaskForm):
    name = StringField("单位名称", validators=[DataRequired("请填写单位名称。"), Length(max=100)])
    kind = SelectField("类型", choices=list(UNIT_KINDS.items()))
    parent_id = SelectField("上级单位", coerce=int)
    submit = SubmitField("保存")


class CohortForm(FlaskForm):
    name = StringField("人员类别名称", validators=[DataRequired("请填写名称。"), Length(max=50)])
    submit = SubmitField("保存")


class ImportUploadForm(FlaskForm):
    file = FileField("人员名单文件（.xlsx 或 .csv）", validators=[
        FileRequired("请选择文件。"),
        FileAllowed(["xlsx", "csv"], "只支持 .xlsx 或 .csv 文件。")])
    submit = SubmitField("上传并预览")


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""

    confirm = BooleanField(default=True)
    submit = SubmitField("确认")
