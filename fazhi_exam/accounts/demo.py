"""The demo town 大张楼镇: 30 villages, 镇机关科室, cohorts and people. Running it again adds
nothing that is already there."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import Cohort, OrgUnit, User
from . import roster
from .orgs import ensure_default_cohorts, save_unit
from .passwords import hash_password
from .users import UserFields, create_user, set_active, update_user

TOWN = "大张楼镇"
VILLAGES = [
    "大张楼村", "小张楼村", "王庄村", "李庄村", "刘楼村", "陈集村", "赵庄村", "孙庄村",
    "周楼村", "吴庄村", "郑庄村", "冯楼村", "褚庄村", "卫庄村", "蒋庄村", "沈庄村",
    "韩楼村", "杨庄村", "朱庄村", "秦庄村", "许庄村", "何楼村", "吕庄村", "施庄村",
    "张营村", "孔庄村", "曹庄村", "严楼村", "华庄村", "金庄村",
]
DEPARTMENTS = ["党政办公室", "司法所", "综合行政执法办公室", "农业农村办公室",
               "应急管理办公室", "自然资源和规划所", "财政所", "社会事务办公室"]
ENFORCEMENT_DEPARTMENTS = {"综合行政执法办公室", "司法所", "应急管理办公室", "自然资源和规划所"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海涛", "玉梅", "国华", "丽娟", "振东", "春燕",
         "德明", "凤霞", "立新", "红梅", "文军", "淑珍", "永刚", "晓燕", "庆华", "金凤",
         "广明", "雪梅", "长青", "爱华", "保国", "素芳", "宏伟", "翠英", "继红", "兰英"]
LEARNER_PASSWORD = "Xuexi@2023"
# The 2023 roster: everyone from New Year's Day, and three real-life changes (the demo's figures
# of today stay as they were: each person ends the year where the demo always had them).
ROSTER_START = date(2023, 1, 1)
MOVED = ("13910000116", "刘楼村", date(2023, 7, 1))   # 村干部 of 陈集村, came from 刘楼村 on 7-01
JOINED = ("13920000311", date(2023, 7, 10))           # 法律明白人 of 李庄村, from 2023-07-10
RETIRED = ("13920000320", date(2023, 10, 15))         # 法律明白人 of 赵庄村, retired 2023-10-15


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    name: str
    roles: tuple[str, ...]
    unit: str
    note: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "Admin@2023", "镇管理员", ("admin", "learner"), "党政办公室",
                "镇级管理员：用户、单位、统计"),
    DemoAccount("trainer", "Peixun@2023", "司法所培训员", ("trainer", "learner"), "司法所",
                "培训管理员：题库、考试、学法"),
    DemoAccount("wangzhuang", "Cunguan@2023", "王庄村管理员", ("admin", "learner"), "王庄村",
                "村级管理员：只管王庄村"),
    DemoAccount("learner", LEARNER_PASSWORD, "张明白", ("learner",), "王庄村",
                "学员（法律明白人）"),
]


def _person_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7 + i // len(SURNAMES)) % len(GIVEN)]


def _units() -> tuple[OrgUnit, dict[str, OrgUnit]]:
    town = db.session.scalar(select(OrgUnit).where(OrgUnit.name == TOWN,
                                                   OrgUnit.parent_id.is_(None)))
    if town is None:
        town = save_unit(None, name=TOWN, kind="town", parent=None)
    existing = {u.name: u for u in db.session.scalars(
        select(OrgUnit).where(OrgUnit.parent_id == town.id))}
    for name in DEPARTMENTS + VILLAGES:
        if name not in existing:
            kind = "department" if name in DEPARTMENTS else "village"
            existing[name] = save_unit(None, name=name, kind=kind, parent=town)
    return town, existing


def seed_demo() -> dict[str, int]:
    """Create what is missing; return how many users were added."""
    ensure_default_cohorts()
    cohorts = {c.name: c for c in db.session.scalars(select(Cohort))}
    town, units = _units()
    taken = set(db.session.scalars(select(User.username)))
    learner_hash = hash_password(LEARNER_PASSWORD)
    added = 0

    def add(username, name, unit, cohort_names, roles=("learner",), password=None, scope=None):
        nonlocal added
        if username in taken:
            return
        fields = UserFields(username=username, name=name, org_unit=unit,
                            cohorts=[cohorts[c] for c in cohort_names], roles=set(roles),
                            scope_unit=scope)
        joined = JOINED[1] if username == JOINED[0] else ROSTER_START
        if username == MOVED[0]:  # first in the old village, then moved: both dated
            user = create_user(None, replace(fields, org_unit=units[MOVED[1]]),
                               LEARNER_PASSWORD, must_change_password=False,
                               password_hash=learner_hash, effective=joined)
            update_user(None, user, fields, effective=MOVED[2])
        else:
            create_user(None, fields, password or LEARNER_PASSWORD, must_change_password=False,
                        password_hash=None if password else learner_hash, effective=joined)
        taken.add(username)
        added += 1

    for acc in DEMO_ACCOUNTS:
        unit = units[acc.unit]
        scope = unit if acc.unit in VILLAGES and "admin" in acc.roles else None
        cohort_names = ["法律明白人"] if acc.username == "learner" else (
            ["村干部"] if acc.unit in VILLAGES else ["镇干部"])
        add(acc.username, acc.name, unit, cohort_names, acc.roles, acc.password, scope)

    for i in range(60):  # 镇干部; the first 20 in enforcement offices are 行政执法人员
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        names = ["镇干部"]
        enforcement = sum(1 for j in range(i) if DEPARTMENTS[j % len(DEPARTMENTS)]
                          in ENFORCEMENT_DEPARTMENTS)
        if dept in ENFORCEMENT_DEPARTMENTS and enforcement < 20:
            names.append("行政执法人员")
        if i % 3 == 0:
            names.append("党员")
        add(f"1390000{i:04d}", _person_name(i), units[dept], names)

    for v, village in enumerate(VILLAGES):
        unit = units[village]
        for k in range(3):  # 村干部 (村“两委”); the first is also the 法律带头人
            n = 100 + v * 3 + k
            names = ["村干部", "党员"] + (["法律带头人"] if k == 0 else [])
            add(f"1391000{n:04d}", _person_name(n), unit, names)
        for k in range(3):  # 法律明白人
            n = 300 + v * 3 + k
            if village == "王庄村" and k == 0:
                continue  # the demo account "learner" is this village's first 明白人
            names = ["法律明白人"] + (["党员"] if k == 1 else [])
            add(f"1392000{n:04d}", _person_name(n), unit, names)
    if added:
        audit.record("demo_seeded", target=TOWN, details={"users_added": added})
    db.session.flush()
    return {"users_added": added}


def seed_demo_departures() -> bool:
    """The 法律明白人 who retired on 2023-10-15. Run after the 2023 exams and study are seeded (this
    person took part in them up to September); not again once the roster shows a departure, so an
    admin who re-activates the account is not overruled by the next seed-demo."""
    username, day = RETIRED
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or any(m.ends_on for m in roster.history(user.id)):
        return False
    set_active(None, user, False, effective=day)
    return True
