"""The demo 2023 集中学法 plan: 24 sessions with attendance taken from sign-in codes and sheets,
and one session open for sign-in today."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from .. import clock
from ..clock import BEIJING
from ..extensions import db
from ..models import Attendance, Cohort, Exam, Programme, StudyPlan, StudyTime, User
from .materials import create_material
from .plans import SessionFields, add_session, expected_users, get_or_create_plan
from .programmes import create_programme

TOPICS = [
    ("习近平法治思想的核心要义", "习近平法治思想"), ("宪法的基本原则与公民的基本权利义务", "宪法"),
    ("民法典总则编：民事主体与民事法律行为", "民法典"), ("民法典物权编：宅基地与土地承包经营权", "民法典"),
    ("民法典合同编：农村常见合同纠纷", "民法典"), ("民法典婚姻家庭编与继承编", "民法典"),
    ("民法典侵权责任编：饲养动物、高空抛物", "民法典"), ("行政处罚法：乡镇行政处罚权的承接与行使", "行政处罚法"),
    ("行政许可法与“放管服”改革", "行政许可法"), ("行政强制法：查封扣押与强制执行程序", "行政强制法"),
    ("新修订的行政复议法", "行政复议法"), ("行政诉讼法与行政机关负责人出庭应诉", "行政诉讼法"),
    ("国家赔偿法", "国家赔偿法"), ("人民调解法与矛盾纠纷多元化解", "人民调解法"),
    ("信访工作条例", "信访工作条例"), ("反电信网络诈骗法", "反电信网络诈骗法"),
    ("国家安全法与总体国家安全观", "国家安全法"), ("反有组织犯罪法与常态化扫黑除恶", "反有组织犯罪法"),
    ("禁毒法", "禁毒法"), ("土地管理法与耕地保护", "土地管理法"), ("农村土地承包法", "农村土地承包法"),
    ("未成年人保护法与反家庭暴力法", "未成年人保护法、反家庭暴力法"), ("安全生产法与消防法", "安全生产法、消防法"),
    ("法治政府建设实施纲要（2021—2025年）", "法治政府建设实施纲要"),
]
SPEAKERS = ["镇党委书记", "镇长", "司法所所长", "县司法局讲师", "镇综合行政执法办主任", "特邀律师"]
ENFORCEMENT_TRAININGS = [  # (month, day, topic, laws)
    (3, 15, "行政执法“三项制度”与行政处罚程序", "行政处罚法"),
    (6, 7, "行政许可与行政检查规范", "行政许可法"),
    (8, 23, "行政强制措施与强制执行", "行政强制法"),
    (11, 8, "行政复议、行政诉讼与执法案卷评查", "行政复议法、行政诉讼法"),
]


def seed_demo_study() -> int:
    """Create the 2023 plan if missing, and today's open session; returns sessions created."""
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.name.in_(["镇干部", "村干部"]))))
    created = 0
    title = "2023年度大张楼镇机关干部集中学法计划"
    if db.session.scalar(select(StudyPlan.id).where(StudyPlan.year == 2023, StudyPlan.title == title)) is None:
        plan = get_or_create_plan(None, 2023, title)
        rng = random.Random(24)
        rows = []
        for i, (topic, laws) in enumerate(TOPICS):
            month, day = 1 + i // 2, 8 if i % 2 == 0 else 22  # twice a month
            starts = datetime.combine(datetime(2023, month, day).date(), time(15, 0), BEIJING)
            session = add_session(None, plan, SessionFields(starts, starts + timedelta(hours=2), topic, laws,
                                                            SPEAKERS[i % len(SPEAKERS)], "镇政府三楼会议室",
                                                            True, cohorts))
            for user in expected_users(session):
                roll = rng.random()
                status = "present" if roll < 0.93 else "leave" if roll < 0.97 else "makeup"
                rows.append(Attendance(session_id=session.id, user_id=user.id, status=status,
                                       method="code" if status == "present" and rng.random() < 0.7 else
                                       "makeup" if status == "makeup" else "sheet",
                                       recorded_at=session.starts_at + timedelta(minutes=rng.randint(0, 20))))
            created += 1
        db.session.add_all(rows)
    created += _seed_enforcement_trainings()
    today = clock.now().astimezone(BEIJING)
    year_title = f"{today.year}年度集中学法计划"
    plan = get_or_create_plan(None, today.year, year_title)
    now = clock.now()
    if not any(s.starts_at - timedelta(minutes=30) <= now <= s.ends_at for s in plan.sessions):
        # Starts at the next half hour (sign-in opens 30 minutes before, so now) and lasts two hours.
        starts = today.replace(minute=30 if today.minute < 30 else 0, second=0, microsecond=0)
        if today.minute >= 30:
            starts += timedelta(hours=1)
        add_session(None, plan, SessionFields(starts, starts + timedelta(hours=2), "民法典进农村：法律明白人专题学习",
                                              "民法典", "司法所所长", "镇政府三楼会议室", True, []))
        created += 1
    db.session.flush()
    _leave_reasons()
    return created


LEAVE_REASONS = ("因病请假", "外出参加县里会议", "家中有事", "驻村值班", "参加防汛值守")


def _leave_reasons() -> None:
    """Every 请假 mark carries its reason (a session exemption, study/exemptions.py)."""
    from ..models import Exemption

    live = select(Exemption.id).where(Exemption.session_id == Attendance.session_id,
                                      Exemption.user_id == Attendance.user_id, Exemption.revoked_at.is_(None))
    marks = db.session.scalars(select(Attendance).where(Attendance.status == "leave", ~live.exists())
                               .order_by(Attendance.session_id, Attendance.user_id))
    db.session.add_all(Exemption(user_id=a.user_id, kind="session", session_id=a.session_id,
                                 reason=LEAVE_REASONS[(a.session_id + a.user_id) % len(LEAVE_REASONS)],
                                 created_at=a.recorded_at, created_by_id=a.recorded_by_id)
                       for a in list(marks))
    db.session.flush()


def _seed_enforcement_trainings() -> int:
    """The year's four trainings for 行政执法人员, with their sign-in records."""
    title = "2023年度行政执法人员专题培训计划"
    if db.session.scalar(select(StudyPlan.id).where(StudyPlan.year == 2023, StudyPlan.title == title)) is not None:
        return 0
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.name == "行政执法人员")))
    plan = get_or_create_plan(None, 2023, title)
    rng = random.Random(4)
    for month, day, topic, laws in ENFORCEMENT_TRAININGS:
        starts = datetime.combine(datetime(2023, month, day).date(), time(9, 0), BEIJING)
        session = add_session(None, plan, SessionFields(starts, starts + timedelta(hours=3), topic, laws,
                                                        "县司法局讲师", "镇综合行政执法办公室会议室", True, cohorts))
        db.session.add_all(Attendance(session_id=session.id, user_id=user.id,
                                      status="present" if rng.random() < 0.95 else "leave", method="code",
                                      recorded_at=starts + timedelta(minutes=rng.randint(0, 15)))
                           for user in expected_users(session))
    return len(ENFORCEMENT_TRAININGS)


# Study texts quote the articles word for word (法律条文 may be quoted; see ../shared/laws).
MATERIALS = [
    ("婚姻自由与继承顺序（民法典）", "民法典", 20,
     "# 婚姻自由\n《中华人民共和国民法典》第一千零四十二条第一款：**禁止包办、买卖婚姻和其他干涉婚姻自由的行为。"
     "禁止借婚姻索取财物。**\n\n# 法定继承的顺序\n《中华人民共和国民法典》第一千一百二十七条：遗产按照下列顺序继承：\n"
     "- 第一顺序：配偶、子女、父母；\n- 第二顺序：兄弟姐妹、祖父母、外祖父母。\n\n"
     "继承开始后，由第一顺序继承人继承，第二顺序继承人不继承；没有第一顺序继承人继承的，由第二顺序继承人继承。"),
    ("不出租出借银行卡、电话卡（反电信网络诈骗法）", "反电信网络诈骗法", 15,
     "# 不买卖、出租、出借“两卡”\n《中华人民共和国反电信网络诈骗法》第三十一条第一款："
     "任何单位和个人不得非法买卖、出租、出借电话卡、物联网卡、电信线路、短信端口、银行账户、支付账户、互联网账号等，不得提供实名核验帮助；"
     "不得假冒他人身份或者虚构代理关系开立上述卡、账户、账号等。"),
    ("人民调解不收费（人民调解法）", "人民调解法", 10,
     "# 什么是人民调解\n《中华人民共和国人民调解法》第二条：本法所称人民调解，是指人民调解委员会通过说服、疏导等方法，"
     "促使当事人在平等协商基础上自愿达成调解协议，解决民间纠纷的活动。\n\n# 不收取任何费用\n"
     "第四条：**人民调解委员会调解民间纠纷，不收取任何费用。**"),
    ("什么是家庭暴力（反家庭暴力法）", "反家庭暴力法", 10,
     "# 家庭暴力的含义\n《中华人民共和国反家庭暴力法》第二条：本法所称家庭暴力，是指家庭成员之间以殴打、捆绑、残害、"
     "限制人身自由以及经常性谩骂、恐吓等方式实施的身体、精神等侵害行为。"),
]


def seed_demo_programme() -> bool:
    """The 2023 法律明白人 / 法律带头人 programme with materials and everyone's completed study."""
    title = "2023年度法律明白人、法律带头人培训"
    if db.session.scalar(select(Programme.id).where(Programme.title == title)) is not None:
        return False
    materials = [create_material(None, title=t, kind="text", minutes=m, body=body, laws=laws)
                 for t, laws, m, body in MATERIALS]
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.name.in_(["法律明白人", "法律带头人"]))))
    exam = db.session.scalar(select(Exam).where(Exam.title == "2023年度法律明白人培训考试"))
    programme = create_programme(None, title=title, year=2023, cohorts=cohorts, materials=materials,
                                 required_hours=0.5, exam=exam, gate_exam=False)
    done = datetime(2023, 9, 1, 12, 0, tzinfo=BEIJING)
    learners = db.session.scalars(select(User).where(User.cohorts.any(Cohort.id.in_([c.id for c in cohorts]))))
    db.session.add_all(StudyTime(user_id=u.id, material_id=m.id, seconds=m.minutes * 60, last_beat_at=done,
                                 completed_at=done) for u in learners for m in materials)
    db.session.flush()
    return programme is not None
