"""Who is behind: missed required sessions not made up, and programme study not complete, by
village with phone numbers; a pure function yields the rows, the views write pages and sheets."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Attendance, Programme, StudyPlan, User
from . import completion
from .plans import expected_users
from .programmes import Progress

DONE = ("present", "makeup", "leave")  # 请假 is excused (a session exemption), not behind


@dataclass
class Behind:
    user: User
    unit: str
    items: list[str] = field(default_factory=list)  # what is missing, in words

    @property
    def name(self) -> str:
        """Someone deactivated after the deadline is still in the figure, so still listed, marked."""
        return self.user.name if self.user.active else f"{self.user.name}（已停用）"


def plan_behind(plan: StudyPlan) -> list[Behind]:
    now = clock.now()
    marks = {(a.session_id, a.user_id): a.status for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id.in_([s.id for s in plan.sessions])))}
    behind: dict[int, Behind] = {}
    for session in plan.sessions:
        if not session.required or session.ends_at > now:
            continue
        for user in expected_users(session):
            if marks.get((session.id, user.id)) not in DONE:
                row = behind.setdefault(user.id, Behind(user, user.org_unit.name if user.org_unit else ""))
                day = clock.cn_month_day(session.starts_at)
                row.items.append(f"缺席未补学：{day} {session.topic}")
    return sorted(behind.values(), key=lambda b: (b.unit, b.user.id))


def programme_behind(programme: Programme, scope: str | None = None) -> list[Behind]:
    """The unfinished of the programme's figure (study/completion.py), by the unit of its deadline
    day: the excused (免学) are not behind; someone deactivated since still is, and is marked."""
    now = clock.now()
    left = ""
    if programme.closes_at:
        days = (programme.closes_at - now).days
        left = f"，距截止还有 {days} 天" if days >= 0 else "，已过截止日期"
    rows = []
    for r in db.session.execute(completion.people(programme, "unfinished", scope=scope)):
        p = Progress.of(programme, r)
        missing = []
        if p.done < p.total:
            missing.append(f"在线学习未完成：已完成 {p.done}/{p.total} 份资料{left}")
        if p.sessions_attended < p.sessions_total:
            missing.append(f"集中学习未参加：{p.sessions_attended}/{p.sessions_total} 场{left}")
        if not missing:
            missing.append(f"学时不足：已学 {p.minutes:g} 分钟，需 {programme.required_hours * 60:g} 分钟{left}")
        rows.append(Behind(r.User, r.unit or "", missing))
    return rows


def sheet_rows(rows: list[Behind]):
    for b in rows:
        yield [b.unit, b.name, b.user.phone or b.user.username, "；".join(b.items)]


SHEET_HEADER = ["单位", "姓名", "手机号或用户名", "需补的学习"]
