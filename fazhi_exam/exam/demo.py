"""The demo year's exams (2023), taken through the real services with the clock set to exam
day: two 镇村干部 exams, two 行政执法人员 exams, a 法律明白人 exam, a 补考 for those who failed
the first cadre exam, and one exam open now for the demo learner."""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from .. import clock
from ..clock import BEIJING
from ..extensions import db
from ..models import Answer, Exam, User
from .attempts import finish, start_or_resume
from .audience import in_audience
from .definitions import create_exam, parse_spec

STANDARD_PAPER = [  # 济宁 2019/2023: 40 单选 × 1 + 20 多选 × 2 + 20 判断 × 1 = 100
    {"type": "single", "count": 40, "points": 1},
    {"type": "multiple", "count": 20, "points": 2},
    {"type": "judge", "count": 20, "points": 1},
]


def _paper(tag: str) -> list[dict]:
    return [dict(rule, tags=[tag]) for rule in STANDARD_PAPER]


def _day(month: int, day: int) -> datetime:
    return datetime(2023, month, day, 9, 0, tzinfo=BEIJING)


EXAMS = [
    ("2023年第一次镇村干部普法考试", _day(6, 15), ["镇干部", "村干部"], "干部"),
    ("2023年第二次镇村干部普法考试", _day(11, 16), ["镇干部", "村干部"], "干部"),
    ("2023年第一次行政执法人员法律知识考试", _day(5, 18), ["行政执法人员"], "执法"),
    ("2023年第二次行政执法人员法律知识考试", _day(10, 19), ["行政执法人员"], "执法"),
    ("2023年度法律明白人培训考试", _day(9, 14), ["法律明白人", "法律带头人"], "明白人"),
]


def _definition(title: str, opens: datetime, cohorts: list[str], tag: str, **extra) -> dict:
    return {"title": title, "kind": "formal", "audience": {"cohorts": cohorts}, "opens_at": opens,
            "closes_at": opens + timedelta(hours=3), "duration_minutes": 60, "pass_score": 80,
            "paper": _paper(tag), **extra}


def _respond(aq, right: bool, rng: random.Random):
    version = aq.version
    shown = {orig: i for i, orig in enumerate(aq.option_order)} if aq.option_order else None

    def letter(orig_letter: str) -> str:
        return "ABCDEFGH"[shown["ABCDEFGH".index(orig_letter)]] if shown else orig_letter

    if version.type == "single":
        wrong = [c for c in "ABCDEFGH"[: len(version.options)] if c != version.answer]
        return letter(version.answer if right else rng.choice(wrong))
    if version.type == "multiple":
        chosen = list(version.answer) if right else list(version.answer)[:-1]
        return sorted(letter(c) for c in chosen)
    if version.type == "judge":
        return version.answer if right else not version.answer
    if version.type == "fill":
        return [variants[0] for variants in version.answer] if right else ["不知道"] * len(version.answer)
    return "（演示作答）" if right else ""


def _sit(exam: Exam, users: list[User], rng: random.Random, ability: dict[int, float],
         commit: Callable[[], None] | None) -> int:
    """Each person's attempt is written (and with `commit` committed) on its own: SQLite's write lock
    is held for one attempt at a time."""
    taken = 0
    for user in users:
        if not in_audience(user, exam) or rng.random() < 0.02:  # a few miss it
            continue
        clock.freeze(exam.opens_at + timedelta(minutes=rng.randint(0, 20)))
        attempt, _ = start_or_resume(user, exam)
        for seq, aq in enumerate(attempt.questions, 1):
            aq.answer = Answer(response=_respond(aq, rng.random() < ability[user.id], rng), seq=seq,
                               saved_at=clock.now())
        clock.advance(timedelta(minutes=rng.randint(25, 55)))
        finish(attempt, "submitted", clock.now())
        taken += 1
        db.session.flush()
        if commit:
            commit()
    return taken


def seed_demo_exams(commit: Callable[[], None] | None = None) -> int:
    """Create the demo exams that are missing; returns how many were created. `commit`: commit each
    exam and each attempt as it is written (the command line), not all in the caller's transaction."""
    existing = set(db.session.scalars(select(Exam.title)))
    users = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    rng = random.Random(2023)
    ability = {u.id: rng.uniform(0.80, 0.99) for u in users}
    created = 0
    try:
        for title, opens, cohorts, tag in EXAMS:
            if title in existing:
                continue
            exam = create_exam(None, parse_spec(_definition(title, opens, cohorts, tag)), publish=True)
            _sit(exam, users, rng, ability, commit)
            created += 1
            if title == EXAMS[0][0]:
                makeup = create_exam(None, parse_spec(_definition(
                    f"{title}（补考）", opens + timedelta(days=14), [], tag, kind="makeup", makeup_of=exam.id)),
                    publish=True)
                for uid in ability:  # those who sit the 补考 have studied since
                    ability[uid] = max(ability[uid], 0.93)
                _sit(makeup, users, rng, ability, commit)
                created += 1
        title = "法律明白人每月一练（在线模拟）"
        if title not in existing:
            clock.reset()  # open from today, not from the 2023 exam days above
            now = clock.now()
            spec = parse_spec({"title": title, "kind": "mock", "audience": {"cohorts": ["法律明白人"]},
                               "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=365),
                               "duration_minutes": 30, "max_attempts": 5, "pass_score": 16,
                               "paper": [{"type": "single", "count": 10, "points": 1, "tags": ["明白人"]},
                                         {"type": "judge", "count": 10, "points": 1, "tags": ["明白人"]}]})
            create_exam(None, spec, publish=True)
            created += 1
    finally:
        clock.reset()
    return created
