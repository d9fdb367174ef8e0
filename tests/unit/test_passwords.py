"""The one password rule: what it refuses and says, what it lets through, and that the command
line goes through it too. The web and import paths are tested with the same cases in
tests/web/test_auth.py, tests/web/test_admin_users.py and tests/unit/test_user_import.py."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from fazhi_exam.accounts.common_passwords import COMMON_PASSWORDS
from fazhi_exam.accounts.passwords import password_problem
from fazhi_exam.extensions import db
from fazhi_exam.models import User
from tests.conftest import TEST_PASSWORD

# The person every rule case is about (a long name, so the name rule is reachable at 8 characters).
PERSON = {"username": "ayixiamu", "phone": "13800001234", "name": "阿依夏木·古丽娜尔"}

# (new password, the message the user must see): one or more cases per rule.
RULE_CASES = [
    ("123456", "密码至少 8 位。"),
    ("abc123", "密码至少 8 位。"),
    ("Ab@12x", "密码至少 8 位。"),
    ("Ab@1" * 33, "密码不能超过 128 位。"),
    ("73920485", "密码不能全是数字。"),
    ("１２３４５６７８９", "密码不能全是数字。"),
    ("aaaa1111", "至少要用 3 个不同的字符"),
    ("password", "这个密码太常见，很容易被猜中，请换一个。"),
    ("WoAiNi1314", "这个密码太常见，很容易被猜中，请换一个。"),
    ("1qaz2wsx", "这个密码太常见，很容易被猜中，请换一个。"),
    ("Password1!", "这个密码太常见，很容易被猜中，请换一个。"),
    ("ayixiamu", "密码不能包含用户名或手机号。"),
    ("umaixiya", "密码不能包含用户名或手机号。"),         # the username reversed
    ("Ayixiamu@2024", "密码不能包含用户名或手机号。"),
    ("wo13800001234", "密码不能包含用户名或手机号。"),
    ("x43210000831", "密码不能包含用户名或手机号。"),     # the phone number reversed
    ("阿依夏木·古丽娜尔", "密码不能是本人姓名。"),
    ("尔娜丽古·木夏依阿", "密码不能是本人姓名。"),
]


@pytest.mark.parametrize("password, message", RULE_CASES)
def test_each_rule_refuses_with_its_own_message(password, message):
    assert message in (password_problem(password, **PERSON) or "")


@pytest.mark.parametrize("username, password", [
    ("admin", "Admin@2023"), ("trainer", "Peixun@2023"), ("wangzhuang", "Cunguan@2023"),
    ("13920000303", "Xuexi@2023"), ("zhang", TEST_PASSWORD), ("13800000001", TEST_PASSWORD),
    ("lisi", "Chushi@123"), ("13900001111", "Chongzhi@9"), ("zhang", "Xin@2024pw"),
    ("zhaoyi", "Zhao@2024"),
])
def test_demo_and_everyday_passwords_pass(username, password):
    assert password_problem(password, username=username, name="张三") is None


def test_the_common_list_is_ours_and_lower_case():
    assert len(COMMON_PASSWORDS) >= 200
    assert all(p == p.lower() for p in COMMON_PASSWORDS)
    for favourite in ("woaini1314", "qq123456", "a123456", "5201314", "1qaz2wsx", "password1",
                      "abc12345", "88888888", "12345678", "iloveyou", "admin123", "zhang123"):
        assert favourite in COMMON_PASSWORDS


def test_cli_create_user_uses_the_same_rule(app, runner):
    result = runner.invoke(args=["create-user", "--username", PERSON["phone"], "--name", "王大爷",
                                 "--password", "woaini1314"])
    assert result.exit_code != 0
    assert "这个密码太常见" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == PERSON["phone"])) is None
    result = runner.invoke(args=["create-user", "--username", PERSON["phone"], "--name", "王大爷",
                                 "--password", "Wang@2024dy"])
    assert result.exit_code == 0, result.output
