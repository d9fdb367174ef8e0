"""A synthetic year of exam records for the statistics benchmark: one town (30 villages, 8 departments),
about attempts/5 examinees, a ~300-question bank and five closed formal exams in 2025 holding
`attempts` graded attempts of `answers_per_attempt` answers each — on SQLite or PostgreSQL.

The schema comes from the project's own migrations; the rows are generated here, not through the
services, with ids chosen here: the three big tables (attempts, attempt_questions, answers) stream
out in batches — Core executemany on SQLite, COPY on PostgreSQL — so memory stays bounded. Every
answer's score is worked out from the response actually stored (in the letters the examinee saw,
through the option order stored with the question), so the figures agree with grading.

The roster is dated as the app keeps it (accounts/roster.py): most people belong all year, but
some join during it, some leave (deactivated) and some move to another village, each with the
date it took effect; an exam's audience is the people on the roster on its closing day.

Right answers depend on a latent ability per examinee and a difficulty and discrimination per
question; a few questions carry a wrong key (the able examinees agree on another option), which
item analysis should flag. An admin account (`admin`, password bench.exam_world.PASSWORD) is
included for benches that go through the web pages.

    python -m bench.stats_world --attempts 2000 --url sqlite:////tmp/sw/bench.db
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from .exam_world import PASSWORD, SERVER_ENV

YEAR = 2025
BEIJING = timezone(timedelta(hours=8))
LETTERS = "ABCDEFGH"
BATCH_ROWS = 20_000  # attempt_questions (and as many answers) per write
TURNOUT = 0.95  # share of an exam's audience that sits it
DURATION_MINUTES = 60
GUESSES = 32  # length of each question's table of what a guesser picks

VILLAGES = ["王庄", "李楼", "张集", "刘屯", "陈寨", "杨河", "赵岗", "黄营", "周口", "吴桥", "徐店", "孙庄", "马楼",
            "朱集", "胡屯", "郭寨", "何营", "高庄", "林楼", "罗集", "郑屯", "梁寨", "谢河", "宋岗", "唐营", "许桥",
            "韩店", "冯庄", "邓楼", "曹集"]
DEPARTMENTS = ["党政综合办公室", "综合行政执法办公室", "经济发展办公室", "社会事务办公室", "自然资源和规划所",
               "司法所", "财政所", "应急管理办公室"]
# (cohort, share of examinees, ability shift, works in a department rather than a village)
COHORT_MIX = [("村干部", 0.25, -0.1, False), ("法律明白人", 0.30, 0.0, False), ("党员", 0.23, -0.2, False),
              ("镇干部", 0.09, 0.3, True), ("行政执法人员", 0.08, 0.4, True), ("法律带头人", 0.05, 0.3, False)]
SECOND_COHORT = 0.15  # examinees in two cohorts
JOINS, LEAVES, MOVES = 0.04, 0.03, 0.06  # shares of examinees who join, leave or move village during the year
LAWS = [("宪法", "中华人民共和国宪法", "law", date(2018, 3, 11)),
        ("民法典", "中华人民共和国民法典", "law", date(2020, 5, 28)),
        ("行政处罚法", "中华人民共和国行政处罚法", "law", date(2021, 1, 22)),
        ("行政许可法", "中华人民共和国行政许可法", "law", date(2019, 4, 23)),
        ("行政复议法", "中华人民共和国行政复议法", "law", date(2023, 9, 1)),
        ("村民委员会组织法", "中华人民共和国村民委员会组织法", "law", date(2018, 12, 29)),
        ("土地管理法", "中华人民共和国土地管理法", "law", date(2019, 8, 26)),
        ("农村土地承包法", "中华人民共和国农村土地承包法", "law", date(2018, 12, 29)),
        ("安全生产法", "中华人民共和国安全生产法", "law", date(2021, 6, 10)),
        ("信访工作条例", "信访工作条例", "regulation", date(2022, 2, 25))]
TAGS = ["干部", "执法", "明白人"]
# (title, first day of a Monday-to-Friday window, audience cohorts)
EXAMS = [("2025年第一季度全镇学法用法考试", date(2025, 3, 17), None),
         ("2025年镇村干部法律知识考试", date(2025, 5, 19), ["镇干部", "村干部", "党员", "法律带头人", "法律明白人"]),
         ("2025年行政执法与基层治理法律知识考试", date(2025, 7, 14), None),
         ("2025年法律明白人及村干部专题考试", date(2025, 9, 15), ["村干部", "法律带头人", "法律明白人", "党员"]),
         ("2025年度全镇学法用法年终考试", date(2025, 11, 17), None)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志红春梅海燕小龙云飞德福文"

ATTEMPT_COLUMNS = ("id", "exam_id", "user_id", "number", "status", "started_at", "deadline", "finished_at",
                   "finish_reason", "leave_count", "score", "max_score", "passed")
AQ_COLUMNS = ("id", "attempt_id", "position", "question_id", "version_id", "points", "option_order")
ANSWER_COLUMNS = ("attempt_question_id", "response", "seq", "saved_at", "score", "graded_by_id", "comment")
BIG_TABLES = {"attempts": ATTEMPT_COLUMNS, "attempt_questions": AQ_COLUMNS, "answers": ANSWER_COLUMNS}
SERIAL_TABLES = ("org_units", "users", "laws", "banks", "questions", "question_versions", "exams", "exam_rules",
                 "attempts", "attempt_questions")


def build(url: str, instance: Path, *, attempts: int = 100_000, answers_per_attempt: int = 50,
          seed: int = 1) -> dict:
    """Migrate an empty database at `url` and fill it with the year; returns what was made."""
    started = time.perf_counter()
    os.environ["FAZHI_INSTANCE"] = str(instance)
    from flask_migrate import upgrade

    from fazhi_exam import create_app
    from fazhi_exam.accounts.orgs import ensure_default_cohorts
    from fazhi_exam.accounts.passwords import hash_password
    from fazhi_exam.database import set_write_intent
    from fazhi_exam.extensions import db

    if attempts < 1 or answers_per_attempt < 1:
        raise ValueError("attempts and answers_per_attempt must be positive")
    database = sa.engine.make_url(url).database
    if url.startswith("sqlite") and database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "PASSWORD_HASH_METHOD": SERVER_ENV["FAZHI_PASSWORD_HASH_METHOD"]})
    with app.app_context():
        set_write_intent(True)
        upgrade()
        if db.session.scalar(sa.text("SELECT count(*) FROM users")):
            raise RuntimeError(f"{url} is not an empty database")
        cohort_ids = {c.name: c.id for c in ensure_default_cohorts()}
        db.session.commit()
        world = _World(random.Random(seed), cohort_ids, attempts, answers_per_attempt, hash_password(PASSWORD))
        engine = db.engine
        with engine.connect() as conn:
            world.write_small_tables(conn)
            conn.commit()
        writer = _SQLiteWriter(engine) if engine.dialect.name == "sqlite" else _PostgresWriter(engine)
        with writer:
            for batch in world.attempt_batches(writer.stamp):
                writer.write(*batch)
        db.engine.dispose()
    return {"exam_ids": [e.id for e in world.exams], "year": YEAR, "users": len(world.examinees),
            "attempts": world.attempt_count, "answers": world.answer_count,
            "seconds": round(time.perf_counter() - started, 1)}


# ---------------------------------------------------------------------------------------------
# what the year holds


@dataclass
class _Examinee:
    id: int
    cohorts: set[int]
    ability: float
    joined: date
    left: date | None = None  # deactivated that day (the roster rows end then)

    def on_roster(self, day: date) -> bool:
        return self.joined <= day and (self.left is None or day < self.left)


@dataclass
class _Item:
    """A question with what the simulation needs: who knows it, what guessers pick, how shown."""

    id: int
    type: str
    n_options: int
    key: int  # single: option index; multiple: bit mask; judge: 0/1
    truth: int  # what those who know pick; differs from key for a wrongly keyed question
    know: list[float]  # chance of knowing it, by ability bucket
    guesses: list[int]
    orders: list[str]  # option orders as stored JSON, one per permutation
    shown: list[list[str]]  # [permutation][choice] → the response as stored JSON


@dataclass
class _Rule:
    type: str
    count: int
    points: float
    items: list[_Item]


@dataclass
class _Exam:
    id: int
    title: str
    opens: datetime
    closes: datetime
    cohorts: list[int]
    audience: list[_Examinee] = field(default_factory=list)
    sitting: int = 0


def _bucket(ability: float) -> int:
    return round((min(max(ability, -3.0), 3.0) + 3.0) * 10)  # 0..60


_PERMUTATIONS: dict[int, list[tuple[int, ...]]] = {}
_SHOWN: dict[tuple[str, int], list[list[str]]] = {}


def _permutations(n: int) -> list[tuple[int, ...]]:
    if n not in _PERMUTATIONS:
        _PERMUTATIONS[n] = list(itertools.permutations(range(n)))
    return _PERMUTATIONS[n]


def _shown_table(kind: str, n: int) -> list[list[str]]:
    """For each option order (shown position → original index): the stored response for each choice,
    a choice being an original option index (single) or a mask of original indexes (multiple)."""
    if (kind, n) not in _SHOWN:
        table = []
        for order in _permutations(n):
            position = {original: shown for shown, original in enumerate(order)}
            if kind == "single":
                table.append([json.dumps(LETTERS[position[i]]) for i in range(n)])
            else:
                table.append([json.dumps(sorted(LETTERS[position[i]] for i in range(n) if mask >> i & 1))
                              for mask in range(1 << n)])
        _SHOWN[kind, n] = table
    return _SHOWN[kind, n]


def _letters(mask: int) -> str:
    return "".join(LETTERS[i] for i in range(8) if mask >> i & 1)


class _World:
    def __init__(self, rng: random.Random, cohort_ids: dict[str, int], attempts: int, per_attempt: int,
                 password_hash: str):
        self.rng, self.cohort_ids, self.attempts, self.password_hash = rng, cohort_ids, attempts, password_hash
        singles = round(per_attempt * 0.6)
        multiples = round(per_attempt * 0.2)
        judges = per_attempt - singles - multiples
        self.points = round(100 / per_attempt, 2)
        self.paper = [(t, c) for t, c in (("single", singles), ("multiple", multiples), ("judge", judges)) if c]
        self.max_score = round(self.points * per_attempt, 2)
        self.pass_score = round(self.max_score * 0.8, 2)  # 80 of 100
        self.bank_sizes = {"single": max(150, 3 * singles), "multiple": max(60, 3 * multiples),
                           "judge": max(90, 3 * judges)}
        self.examinees: list[_Examinee] = []
        self.exams: list[_Exam] = []
        self.items: dict[str, list[_Item]] = {}
        self.attempt_count = self.answer_count = 0

    # --- small tables: Core inserts through the models' tables

    def write_small_tables(self, conn: sa.Connection) -> None:
        from fazhi_exam.extensions import db

        t = db.metadata.tables
        now = datetime(YEAR - 1, 12, 20, 9, 0, tzinfo=BEIJING)
        units = self._units()
        conn.execute(t["org_units"].insert(), units)
        users, memberships, unit_history = self._users(units, now)
        begins = {e.id: e.joined for e in self.examinees} | {1: now.date()}
        ends = {e.id: e.left for e in self.examinees}
        cohort_history = [m | {"begins_on": begins[m["user_id"]], "ends_on": ends.get(m["user_id"])}
                          for m in memberships]
        for table, rows in (("users", users), ("user_cohorts", memberships),
                            ("unit_memberships", unit_history),
                            ("cohort_memberships", cohort_history),
                            ("user_roles", [{"user_id": u["id"], "role": "learner" if u["id"] > 1 else "admin"}
                                            for u in users])):
            for i in range(0, len(rows), BATCH_ROWS):
                conn.execute(t[table].insert(), rows[i:i + BATCH_ROWS])
        conn.execute(t["laws"].insert(), [
            {"id": i, "name": name, "title": title, "kind": kind, "version_date": when, "updated_at": now}
            for i, (name, title, kind, when) in enumerate(LAWS, 1)])
        conn.execute(t["banks"].insert(), [{"id": 1, "name": f"{YEAR}年度学法用法考试题库",
                                            "description": "统计基准的合成题库", "created_at": now}])
        questions, versions, laws, tags = self._bank(now)
        conn.execute(t["questions"].insert(), questions)
        conn.execute(t["question_versions"].insert(), versions)
        conn.execute(t["questions"].update().values(current_version_id=t["questions"].c.id))  # version id = id
        conn.execute(t["question_laws"].insert(), laws)
        conn.execute(t["question_tags"].insert(), tags)
        exams, rules, audience = self._exams()
        conn.execute(t["exams"].insert(), exams)
        conn.execute(t["exam_rules"].insert(), rules)
        conn.execute(t["exam_cohorts"].insert(), audience)

    def _units(self) -> list[dict]:
        units = [{"id": 1, "name": "青山镇", "kind": "town", "parent_id": None, "path": "/1/", "sort_order": 1,
                  "active": True}]
        for i, name in enumerate([v + "村" for v in VILLAGES] + DEPARTMENTS, 2):
            units.append({"id": i, "name": name, "kind": "village" if name.endswith("村") else "department",
                          "parent_id": 1, "path": f"/1/{i}/", "sort_order": i - 1, "active": True})
        return units

    def _users(self, units: list[dict], now: datetime) -> tuple[list[dict], list[dict], list[dict]]:
        """Users, their present cohorts and their dated unit rows (a move: two rows)."""
        rng = self.rng
        villages = [u["id"] for u in units if u["kind"] == "village"]
        departments = [u["id"] for u in units if u["kind"] == "department"]
        weights = [c[1] for c in COHORT_MIX]
        # each exam's audience is the examinees in any of its cohorts on its day; size the town so that
        # TURNOUT of the audiences, summed over the exams, is `attempts`
        reach = 0.0
        for _, _, cohorts in EXAMS:
            outside = sum(w for n, w, _, _ in COHORT_MIX if cohorts is not None and n not in cohorts)
            reach += 1 - outside * (1 - SECOND_COHORT)
        off_roster = (JOINS + LEAVES) / 2  # about the share not on the roster on an exam's day
        count = max(1, round(self.attempts / (TURNOUT * reach * (1 - off_roster))))
        users = [{"id": 1, "username": "admin", "phone": None, "name": "管理员", "org_unit_id": 1,
                  "scope_org_unit_id": None, "password_hash": self.password_hash, "active": True,
                  "must_change_password": False, "created_at": now, "last_login_at": None}]
        memberships = []
        history = [{"user_id": 1, "org_unit_id": 1, "begins_on": now.date(), "ends_on": None}]
        year_days = (date(YEAR, 12, 31) - date(YEAR, 1, 1)).days
        for uid in range(2, count + 2):
            primary = rng.choices(range(len(COHORT_MIX)), weights)[0]
            name, _, shift, in_department = COHORT_MIX[primary]
            cohorts = {name}
            if rng.random() < SECOND_COHORT:
                cohorts.add("党员" if name != "党员" else "法律明白人")
            if in_department:
                unit = 1 if rng.random() < 0.1 else rng.choice(departments)
            else:
                unit = rng.choice(villages)
            ids = {self.cohort_ids[c] for c in cohorts}
            created = now + timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 600))
            change, when = rng.random(), date(YEAR, 1, 1) + timedelta(days=rng.randint(60, year_days - 30))
            if change < JOINS:  # joined during the year
                created = datetime(when.year, when.month, when.day, 9, tzinfo=BEIJING)
            examinee = _Examinee(uid, ids, rng.gauss(0.0, 1.0) + shift, created.date())
            examinee.left = when if JOINS <= change < JOINS + LEAVES else None
            self.examinees.append(examinee)
            if JOINS + LEAVES <= change < JOINS + LEAVES + MOVES and not in_department:
                history.append({"user_id": uid, "org_unit_id": unit, "begins_on": examinee.joined, "ends_on": when})
                unit = rng.choice([v for v in villages if v != unit])
                history.append({"user_id": uid, "org_unit_id": unit, "begins_on": when, "ends_on": None})
            else:
                history.append({"user_id": uid, "org_unit_id": unit, "begins_on": examinee.joined,
                                "ends_on": examinee.left})
            users.append({"id": uid, "username": f"u{uid:06d}", "phone": f"139{uid:08d}",
                          "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                          "org_unit_id": unit, "scope_org_unit_id": None, "password_hash": self.password_hash,
                          "active": examinee.left is None, "must_change_password": False, "created_at": created,
                          "last_login_at": datetime(YEAR, 11, 17, 8, tzinfo=BEIJING)
                          + timedelta(minutes=rng.randint(0, 60 * 24 * 40))})
            memberships += [{"user_id": uid, "cohort_id": c} for c in sorted(ids)]
        return users, memberships, history

    def _bank(self, now: datetime) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
        from fazhi_exam.bank.validation import dedupe_key

        rng = self.rng
        questions, versions, question_laws, question_tags = [], [], [], []
        qid = 0
        for qtype, size in self.bank_sizes.items():
            wrong_keys = set(rng.sample(range(size), {"single": 3, "multiple": 1, "judge": 2}[qtype]))
            self.items[qtype] = []
            for i in range(size):
                qid += 1
                law = rng.randrange(len(LAWS))
                short, title = LAWS[law][0], LAWS[law][1]
                article = rng.randint(1, 120)
                b = rng.gauss(-1.7, 0.9)  # ability at which half know it
                a = rng.uniform(0.6, 2.2)  # discrimination
                know = [1 / (1 + math.exp(-a * ((k / 10 - 3.0) - b))) for k in range(61)]
                difficulty = 1 + sum(b > cut for cut in (-2.2, -1.5, -0.9, -0.2))
                item = self._item(qid, qtype, know, wrong=i in wrong_keys)
                self.items[qtype].append(item)
                if qtype == "judge":
                    stem = f"根据《{title}》第{article}条的规定，判断下列说法（第{qid}题）：{short}相关事项依法办理。"
                    options, answer = [], bool(item.key)
                else:
                    which = "正确的是" if qtype == "single" else "正确的有"
                    stem = f"依照《{title}》第{article}条，下列说法中{which}（第{qid}题）："
                    options = [f"{short}第{article}条规定的情形{LETTERS[j]}（{qid}）" for j in range(item.n_options)]
                    answer = LETTERS[item.key] if qtype == "single" else _letters(item.key)
                tag = TAGS[qid % len(TAGS)]
                questions.append({"id": qid, "bank_id": 1, "status": "published", "current_version_id": None,
                                  "needs_review": False, "dedupe_key": dedupe_key(stem, options), "type": qtype,
                                  "difficulty": difficulty, "created_at": now, "updated_at": now})
                versions.append({"id": qid, "question_id": qid, "number": 1, "type": qtype, "stem": stem,
                                 "options": options, "answer": answer,
                                 "explanation": f"见《{title}》第{article}条。", "basis": f"《{title}》第{article}条",
                                 "difficulty": difficulty, "tags": [tag], "grading_points": [], "note": "",
                                 "created_at": now, "created_by_id": 1})
                question_laws.append({"question_id": qid, "law_id": law + 1})
                question_tags.append({"question_id": qid, "name": tag})
        return questions, versions, question_laws, question_tags

    def _item(self, qid: int, qtype: str, know: list[float], *, wrong: bool) -> _Item:
        rng = self.rng
        if qtype == "judge":
            truth = rng.randrange(2)
            key = 1 - truth if wrong else truth
            lean = rng.uniform(0.3, 0.7)  # how often a guesser says "true"
            guesses = [int(rng.random() < lean) for _ in range(GUESSES)]
            return _Item(qid, qtype, 0, key, truth, know, guesses, ["[]"], [["false", "true"]])
        if qtype == "single":
            n = 4
            truth = rng.randrange(n)
            decoy = rng.choice([i for i in range(n) if i != truth])  # the attractive wrong option
            key = decoy if wrong else truth  # a wrong key: the decoy was keyed
            weights = [2.5 if i == decoy else 1.0 for i in range(n)]
            guesses = rng.choices(range(n), weights, k=GUESSES)
        else:
            n = rng.choice((4, 4, 5))
            right = rng.sample(range(n), 3 if wrong else rng.randint(2, n - 1))
            truth = sum(1 << i for i in right)
            key = truth & ~(1 << right[0]) if wrong else truth  # a wrong key misses a right option
            others = [i for i in range(n) if i not in right]
            outcomes = [truth & ~(1 << i) for i in right] + [truth | 1 << i for i in others] + [truth]
            weights = [3.0] * len(right) + [2.0] * len(others) + [1.5]
            anything = [m for m in range(1, 1 << n) if bin(m).count("1") >= 2]  # any two or more
            outcomes += anything
            weights += [0.2] * len(anything)
            guesses = rng.choices(outcomes, weights, k=GUESSES)
        orders = [json.dumps(list(p)) for p in _permutations(n)]
        return _Item(qid, qtype, n, key, truth, know, guesses, orders, _shown_table(qtype, n))

    def _exams(self) -> tuple[list[dict], list[dict], list[dict]]:
        rows, rules, audience = [], [], []
        all_cohorts = sorted(self.cohort_ids.values())
        for exam_id, (title, first_day, names) in enumerate(EXAMS, 1):
            opens = datetime(first_day.year, first_day.month, first_day.day, 8, 0, tzinfo=BEIJING)
            closes = opens + timedelta(days=4, hours=12)  # Friday 20:00
            cohorts = all_cohorts if names is None else sorted(self.cohort_ids[n] for n in names)
            exam = _Exam(exam_id, title, opens, closes, cohorts)
            wanted = set(cohorts)
            day = closes.date()  # the audience is the roster of the closing day (audience_dates.exam_day)
            exam.audience = [e for e in self.examinees if e.cohorts & wanted and e.on_roster(day)]
            self.exams.append(exam)
            rows.append({"id": exam_id, "title": title, "kind": "formal", "status": "closed", "opens_at": opens,
                         "closes_at": closes, "duration_minutes": DURATION_MINUTES, "max_attempts": 1,
                         "score_policy": "best", "pass_score": self.pass_score, "multiple_policy": "all_or_nothing",
                         "shuffle_questions": True, "shuffle_options": True, "show_score": "immediately",
                         "show_answers": "after_close", "leave_limit": None, "makeup_of_id": None,
                         "count_makeup": True, "created_by_id": 1, "created_at": opens - timedelta(days=14)})
            audience += [{"exam_id": exam_id, "cohort_id": c} for c in cohorts]
            for position, (qtype, count) in enumerate(self.paper, 1):
                rules.append({"id": len(rules) + 1, "exam_id": exam_id, "position": position, "bank_id": 1,
                              "type": qtype, "count": count, "points": self.points, "tags": [], "law_id": None,
                              "difficulty_min": 1, "difficulty_max": 5, "question_ids": []})
        # share `attempts` among the exams in proportion to their audiences (largest remainder)
        total = sum(len(e.audience) for e in self.exams)
        if total < self.attempts:
            raise RuntimeError(f"audiences ({total}) smaller than the attempts asked for ({self.attempts})")
        shares = [self.attempts * len(e.audience) / total for e in self.exams]
        sitting = [math.floor(s) for s in shares]
        for i in sorted(range(len(shares)), key=lambda i: sitting[i] - shares[i])[:self.attempts - sum(sitting)]:
            sitting[i] += 1
        for exam, n in zip(self.exams, sitting, strict=True):
            exam.sitting = min(n, len(exam.audience))
        return rows, rules, audience

    # --- the big tables, generated in batches

    def attempt_batches(self, stamp):
        """Yield (attempt rows, attempt_question rows, answer rows) as tuples in the *_COLUMNS order,
        about BATCH_ROWS answers at a time; ids rise with started_at, as the app would give them."""
        rng = self.rng
        rnd = rng.random
        rules = [_Rule(qtype, count, self.points, self.items[qtype]) for qtype, count in self.paper]
        per_attempt = sum(r.count for r in rules)
        points, max_score, pass_score = self.points, self.max_score, self.pass_score
        attempt_id = aq_id = 0
        attempts, aqs, answers = [], [], []
        for round_number, exam in enumerate(self.exams):
            sitters = rng.sample(exam.audience, exam.sitting)
            epoch = int(exam.opens.timestamp())
            starts = sorted(epoch + day * 86400 + rng.randrange(11 * 3600)  # 08:00–19:00 Beijing
                            for day in (rng.randrange(5) for _ in sitters))
            for examinee, start in zip(sitters, starts, strict=True):
                attempt_id += 1
                bucket = _bucket(examinee.ability + 0.08 * round_number)  # they learn over the year
                deadline = start + DURATION_MINUTES * 60
                used = DURATION_MINUTES * 60 if rnd() < 0.03 else rng.randint(10 * 60, DURATION_MINUTES * 60 - 60)
                finished = start + used
                step = (used - 30) / per_attempt
                total = 0.0
                position = 0
                for rule in rules:
                    for item in rng.sample(rule.items, rule.count):
                        position += 1
                        aq_id += 1
                        choice = item.truth if rnd() < item.know[bucket] else item.guesses[int(rnd() * GUESSES)]
                        score = points if choice == item.key else 0.0
                        total += score
                        perm = int(rnd() * len(item.orders))
                        aqs.append((aq_id, attempt_id, position, item.id, item.id, points, item.orders[perm]))
                        answers.append((aq_id, item.shown[perm][choice], position,
                                        stamp(start + 20 + int(step * position)), score, None, ""))
                total = round(total, 2)
                leaves = 0 if rnd() < 0.95 else rng.randint(1, 3)
                attempts.append((attempt_id, exam.id, examinee.id, 1, "graded", stamp(start), stamp(deadline),
                                 stamp(finished), "submitted", leaves, total, max_score, total >= pass_score))
                if len(aqs) >= BATCH_ROWS:
                    yield attempts, aqs, answers
                    self.attempt_count += len(attempts)
                    self.answer_count += len(answers)
                    attempts, aqs, answers = [], [], []
        if attempts:
            yield attempts, aqs, answers
            self.attempt_count += len(attempts)
            self.answer_count += len(answers)


def _stamper(suffix: str):
    """Epoch seconds → the text each backend stores for a UTC timestamp."""
    days: dict[int, str] = {}

    def stamp(ts: int) -> str:
        day, rest = divmod(ts, 86400)
        text = days.get(day)
        if text is None:
            text = days[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        hour, rest = divmod(rest, 3600)
        minute, second = divmod(rest, 60)
        return f"{text} {hour:02d}:{minute:02d}:{second:02d}{suffix}"

    return stamp


# ---------------------------------------------------------------------------------------------
# writers


class _SQLiteWriter:
    """Core executemany into untyped tables (the values are already the stored text), WAL with
    synchronous=OFF and a large page cache while loading; ANALYZE and a WAL checkpoint at the end."""

    stamp = staticmethod(_stamper(".000000"))  # SQLAlchemy's SQLite DATETIME text

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.tables = [sa.table(name, *(sa.column(c) for c in columns)) for name, columns in BIG_TABLES.items()]

    def __enter__(self):
        self.conn = self.engine.connect()
        raw = self.conn.connection.driver_connection  # no transaction yet: PRAGMAs take effect
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute("PRAGMA cache_size = -65536")  # 64 MB
        return self

    def write(self, *batches: list[tuple]) -> None:
        for table, rows in zip(self.tables, batches, strict=True):
            names = [c.name for c in table.columns]
            self.conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
        self.conn.commit()

    def __exit__(self, kind, value, traceback):
        try:
            if kind is None:
                self.conn.exec_driver_sql("ANALYZE")
                self.conn.commit()
                raw = self.conn.connection.driver_connection
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                raw.execute("PRAGMA synchronous = NORMAL")
        finally:
            self.conn.close()


class _PostgresWriter:
    """COPY through psycopg 3 (JSON columns as JSON text, timestamps as UTC text), one transaction
    per batch. The foreign keys of the three big tables are dropped for the load and added back
    (and so checked, in one pass each) at the end: checked row by row they take two thirds of
    the load. Then sequences are moved past the ids used here, and VACUUM ANALYZE."""

    stamp = staticmethod(_stamper("+00"))

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.copies = [f"COPY {name} ({', '.join(columns)}) FROM STDIN" for name, columns in BIG_TABLES.items()]

    def __enter__(self):
        self.raw = self.engine.raw_connection()
        self.pg = self.raw.driver_connection
        with self.pg.cursor() as cur:
            cur.execute("SET synchronous_commit = off")
            cur.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
                        (list(BIG_TABLES),))
            self.foreign_keys = cur.fetchall()
            for table, name, _ in self.foreign_keys:
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        self.pg.commit()
        return self

    def write(self, *batches: list[tuple]) -> None:
        with self.pg.cursor() as cur:
            for statement, rows in zip(self.copies, batches, strict=True):
                with cur.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
        self.pg.commit()

    def __exit__(self, kind, value, traceback):
        try:
            if kind is None:
                with self.pg.cursor() as cur:
                    for table, name, definition in self.foreign_keys:
                        cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                    for table in SERIAL_TABLES:
                        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}")
                self.pg.commit()
                self.pg.autocommit = True  # VACUUM cannot run in a transaction
                with self.pg.cursor() as cur:
                    cur.execute("VACUUM (ANALYZE)")  # ANALYZE, and hint bits set now, not by the first bench
                self.pg.autocommit = False
            else:
                self.pg.rollback()
        finally:
            self.raw.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="sqlite:////tmp/stats_world/bench.db")
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=50, help="answers per attempt")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instance", type=Path, help="instance folder (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stats_world_") as tmp:
        result = build(args.url, args.instance or Path(tmp), attempts=args.attempts,
                       answers_per_attempt=args.answers, seed=args.seed)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
