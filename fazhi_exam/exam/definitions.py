"""An exam definition — the same fields from a YAML file (`fazhi-exam exam create`) or the
trainer's form — checked field by field, then turned into an Exam with its rules."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from .. import audit, clock, glossary
from ..clock import BEIJING
from ..closed_years import check_open, exam_year
from ..errors import ValidationError
from ..extensions import db
from ..models import Attempt, Bank, Cohort, Exam, ExamRule, Law, OrgUnit, Question, User
from ..models.exam import EXAM_KINDS
from .assembly import check_rules

CHOICES = {
    "score_policy": ("best", "last"),
    "multiple_policy": ("all_or_nothing", "partial", "partial_half"),
    "show_score": ("immediately", "after_close"),
    "show_answers": ("after_submit", "after_close", "never"),
}
TYPES = {"single", "multiple", "judge", "fill", "essay"}


@dataclass
class RuleSpec:
    count: int
    points: float
    bank: str | None = None
    type: str | None = None
    tags: list[str] = field(default_factory=list)
    law: str | None = None
    difficulty: tuple[int, int] = (1, 5)
    question_ids: list[int] = field(default_factory=list)


@dataclass
class ExamSpec:
    title: str
    opens_at: datetime
    closes_at: datetime
    kind: str = "formal"
    cohorts: list[str] = field(default_factory=list)
    org_units: list[str] = field(default_factory=list)
    duration_minutes: int = 60
    max_attempts: int = 1
    score_policy: str = "best"
    pass_score: float = 60
    multiple_policy: str = "all_or_nothing"
    shuffle_questions: bool = True
    shuffle_options: bool = True
    show_score: str = "immediately"
    show_answers: str = "after_submit"
    leave_limit: int | None = None
    makeup_of: int | None = None
    count_makeup: bool = True
    include_flagged: bool = False
    paper: list[RuleSpec] = field(default_factory=list)


def _time(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=BEIJING)
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError(f"“{name}”的时间格式不正确（例如 2023-06-01T09:00:00+08:00）。") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)  # written without a zone: Beijing time


def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value \
            or not low <= value <= high:
        raise ValidationError(f"“{name}”应为 {low}–{high} 的整数。")
    return int(value)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 or value > 1000:
        raise ValidationError(f"“{name}”应为大于 0 的数。")
    return float(value)


def parse_spec(data: Any) -> ExamSpec:
    """A mapping (from YAML or a form) → ExamSpec; the first problem raises with its field named."""
    if not isinstance(data, dict):
        raise ValidationError("考试定义应为键值对（见 DESIGN §6 的示例）。")
    for key in ("title", "opens_at", "closes_at", "paper"):
        if data.get(key) in (None, "", []):
            raise ValidationError(f"缺少“{key}”。")
    kind = str(data.get("kind", "formal"))
    if kind not in EXAM_KINDS:
        raise ValidationError(f"“kind”应为 {' / '.join(EXAM_KINDS)} 之一。")
    audience = data.get("audience") or {}
    if not isinstance(audience, dict):
        raise ValidationError("“audience”应为 {cohorts: [...], org_units: [...]}。")
    spec = ExamSpec(
        title=str(data["title"]).strip()[:200], kind=kind,
        opens_at=_time(data["opens_at"], "opens_at"), closes_at=_time(data["closes_at"], "closes_at"),
        cohorts=[str(c) for c in audience.get("cohorts") or []],
        org_units=[str(u) for u in audience.get("org_units") or []],
        duration_minutes=_int(data.get("duration_minutes", 60), "duration_minutes", 1, 24 * 60),
        max_attempts=_int(data.get("max_attempts", 1), "max_attempts", 1, 100),
        pass_score=float(data.get("pass_score", 60)),
        shuffle_questions=bool(data.get("shuffle_questions", True)),
        shuffle_options=bool(data.get("shuffle_options", True)),
        leave_limit=_int(data["leave_limit"], "leave_limit", 1, 1000) if data.get("leave_limit") else None,
        makeup_of=_int(data["makeup_of"], "makeup_of", 1, 10**9) if data.get("makeup_of") else None,
        count_makeup=bool(data.get("count_makeup", True)),
        include_flagged=bool(data.get("include_flagged", False)),
    )
    for name, allowed in CHOICES.items():
        value = str(data.get(name, getattr(spec, name)))
        if value not in allowed:
            raise ValidationError(f"“{name}”应为 {' / '.join(allowed)} 之一。")
        setattr(spec, name, value)
    if spec.closes_at <= spec.opens_at:
        raise ValidationError("结束时间应晚于开始时间。")
    if kind == "makeup" and not spec.makeup_of:
        raise ValidationError("补考须用“makeup_of”写明对应的正式考试编号。")
    if not isinstance(data["paper"], list):
        raise ValidationError("“paper”应为组卷规则的列表。")
    for i, raw in enumerate(data["paper"], 1):
        spec.paper.append(_rule(raw, i))
    return spec


def _rule(raw: Any, i: int) -> RuleSpec:
    where = f"组卷规则第 {i} 条"
    if not isinstance(raw, dict):
        raise ValidationError(f"{where}应为键值对。")
    points = _number(raw.get("points", 1), f"{where}的 points")
    if raw.get("question_ids"):
        ids = raw["question_ids"]
        if not isinstance(ids, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in ids):
            raise ValidationError(f"{where}的 question_ids 应为试题编号列表。")
        return RuleSpec(count=len(ids), points=points, question_ids=list(dict.fromkeys(ids)))
    qtype = raw.get("type")
    if qtype not in TYPES:
        raise ValidationError(f"{where}的 type 应为 single / multiple / judge / fill / essay 之一。")
    difficulty = raw.get("difficulty") or [1, 5]
    if not (isinstance(difficulty, list) and len(difficulty) == 2):
        raise ValidationError(f"{where}的 difficulty 应写成 [最低, 最高]。")
    low, high = (_int(d, f"{where}的 difficulty", 1, 5) for d in difficulty)
    if low > high:
        raise ValidationError(f"{where}的 difficulty 最低值大于最高值。")
    return RuleSpec(count=_int(raw.get("count"), f"{where}的 count", 1, 500), points=points,
                    bank=str(raw["bank"]) if raw.get("bank") else None, type=qtype,
                    tags=[str(t) for t in raw.get("tags") or []], law=str(raw["law"]) if raw.get("law") else None,
                    difficulty=(low, high))


COUNTED_KINDS = ("formal", "makeup")  # the kinds whose results are in a year's figures


def create_exam(actor: User | None, spec: ExamSpec, *, publish: bool = False) -> Exam:
    """Build the Exam and its rules; refuses names that do not exist and papers the banks cannot fill."""
    cohorts = _by_name(Cohort, spec.cohorts, "人员类别")
    units = _by_name(OrgUnit, spec.org_units, "单位")
    makeup_of = None
    if spec.makeup_of:
        makeup_of = db.session.get(Exam, spec.makeup_of)
        if makeup_of is None or makeup_of.kind != "formal":
            raise ValidationError(f"编号为 {spec.makeup_of} 的正式考试不存在。")
    exam = Exam(title=spec.title, kind=spec.kind, status="draft", opens_at=spec.opens_at, closes_at=spec.closes_at,
                duration_minutes=spec.duration_minutes, max_attempts=spec.max_attempts,
                score_policy=spec.score_policy, pass_score=spec.pass_score,
                multiple_policy=spec.multiple_policy, shuffle_questions=spec.shuffle_questions,
                shuffle_options=spec.shuffle_options, show_score=spec.show_score,
                show_answers=spec.show_answers, leave_limit=spec.leave_limit, makeup_of=makeup_of,
                count_makeup=spec.count_makeup, include_flagged=spec.include_flagged,
                created_by_id=actor.id if actor else None, created_at=clock.now(), cohorts=cohorts, org_units=units)
    if makeup_of is not None and not cohorts and not units:
        exam.cohorts, exam.org_units = list(makeup_of.cohorts), list(makeup_of.org_units)
    if exam.kind in COUNTED_KINDS:
        check_open(exam_year(exam), "新建该年度的正式考试或补考")
    for position, rule in enumerate(spec.paper, 1):
        exam.rules.append(_exam_rule(rule, position))
    if spec.pass_score > exam.total_points:
        raise ValidationError(f"{glossary.name('pass_score')} {spec.pass_score:g} 高于试卷总分 {exam.total_points:g}。")
    db.session.add(exam)
    db.session.flush()
    shortfalls = check_rules(exam)
    if shortfalls:
        raise ValidationError("题库中的题不够组卷：" + "；".join(shortfalls))
    if publish:
        exam.status = "published"
    details = {"id": exam.id, "status": exam.status}
    if exam.include_flagged:  # the explicit choice to draw questions whose law changed
        details["include_flagged"] = True
    audit.record("exam_created", actor=actor, target=exam.title, details=details)
    return exam


def _by_name(model, names: list[str], what: str) -> list:
    if not names:
        return []
    found = {row.name: row for row in db.session.scalars(select(model).where(model.name.in_(names)))}
    missing = [n for n in names if n not in found]
    if missing:
        raise ValidationError(f"找不到{what}：{'、'.join(missing)}。")
    return [found[n] for n in names]


def _exam_rule(rule: RuleSpec, position: int) -> ExamRule:
    bank = law = None
    if rule.question_ids:
        found = set(db.session.scalars(select(Question.id).where(Question.id.in_(rule.question_ids),
                                                                  Question.status == "published")))
        missing = [str(i) for i in rule.question_ids if i not in found]
        if missing:
            raise ValidationError(f"组卷规则第 {position} 条：试题 {', '.join(missing)} 不存在或未发布。")
    if rule.bank:
        bank = db.session.scalar(select(Bank).where(Bank.name == rule.bank))
        if bank is None:
            raise ValidationError(f"组卷规则第 {position} 条：没有名为“{rule.bank}”的题库。")
    if rule.law:
        law = db.session.scalar(select(Law).where(Law.name == rule.law))
        if law is None:
            raise ValidationError(f"组卷规则第 {position} 条：没有名为“{rule.law}”的法律。")
    return ExamRule(position=position, bank=bank, type=rule.type, count=rule.count, points=rule.points,
                    tags=list(rule.tags), law=law, difficulty_min=rule.difficulty[0],
                    difficulty_max=rule.difficulty[1], question_ids=list(rule.question_ids))


def set_status(actor: User | None, exam: Exam, status: str) -> None:
    if status not in ("published", "closed", "draft"):
        raise ValidationError("状态无效。")
    if exam.kind in COUNTED_KINDS:
        check_open(exam_year(exam), "更改该年度考试的状态")
    if status == "published":
        shortfalls = check_rules(exam)
        if shortfalls:
            raise ValidationError("题库中的题不够组卷：" + "；".join(shortfalls))
    old, exam.status = exam.status, status
    db.session.flush()
    audit.record("exam_status", actor=actor, target=exam.title, details={"id": exam.id, "old": old, "new": status})


PLAIN_FIELDS = ("title", "kind", "opens_at", "closes_at", "duration_minutes", "max_attempts", "score_policy",
                "pass_score", "multiple_policy", "shuffle_questions", "shuffle_options", "show_score", "show_answers",
                "leave_limit", "count_makeup", "include_flagged")  # an Exam's own columns, as in ExamSpec
SCORE_SAFE = ("title", "closes_at", "show_score", "show_answers", "leave_limit", "shuffle_questions",
              "shuffle_options")  # what may change once someone has started: nothing here changes a score
FIELD_LABELS = {"kind": "类型", "opens_at": "开始时间", "duration_minutes": "限时", "max_attempts": "可作答次数",
                "score_policy": "计分方式", "pass_score": glossary.name("pass_score"), "multiple_policy": "多选题计分",
                "count_makeup": "统计计入补考", "include_flagged": "抽取待复核试题", "makeup_of": "对应的正式考试",
                "audience": "参考范围", "paper": "组卷规则"}


def _rules_of(exam: Exam) -> list[tuple]:
    return [(r.bank.name if r.bank else None, r.type, r.law.name if r.law else None, r.count, float(r.points),
             tuple(r.tags or []), (r.difficulty_min, r.difficulty_max), tuple(r.question_ids or []))
            for r in exam.rules]


def _spec_rules(spec: ExamSpec) -> list[tuple]:
    return [(r.bank, r.type, r.law, r.count, float(r.points), tuple(r.tags), tuple(r.difficulty),
             tuple(r.question_ids)) for r in spec.paper]


def _changed(exam: Exam, spec: ExamSpec) -> list[str]:
    """The fields of the exam that the spec changes, by name (audience and paper as one each)."""
    out = [name for name in PLAIN_FIELDS if getattr(exam, name) != getattr(spec, name)]
    if (exam.makeup_of_id or None) != (spec.makeup_of or None):
        out.append("makeup_of")
    if sorted(c.name for c in exam.cohorts) != sorted(spec.cohorts) \
            or sorted(u.name for u in exam.org_units) != sorted(spec.org_units):
        out.append("audience")
    if _rules_of(exam) != _spec_rules(spec):
        out.append("paper")
    return out


def update_exam(actor: User | None, exam: Exam, spec: ExamSpec) -> list[str]:
    """Change an exam. Until its first attempt, anything (the paper is checked again); after, only what
    cannot change a score (SCORE_SAFE; the end may only move later). Returns the names changed."""
    if exam.kind in COUNTED_KINDS:
        check_open(exam_year(exam), "修改该年度的考试")
    changed = _changed(exam, spec)
    started = db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam.id).limit(1)) is not None
    if started:
        fixed = [FIELD_LABELS.get(name, name) for name in changed if name not in SCORE_SAFE]
        if fixed:
            raise ValidationError("已有人开始作答，不能再修改：" + "、".join(fixed) + "（只能修改标题、结束时间、"
                                  "成绩和答案的公布方式、离开页面次数和乱序设置）。")
        if spec.closes_at < exam.closes_at:
            raise ValidationError("已有人开始作答，结束时间只能延后，不能提前。")
    if spec.closes_at <= spec.opens_at:
        raise ValidationError("结束时间应晚于开始时间。")
    if not changed:
        return []
    for name in PLAIN_FIELDS:
        setattr(exam, name, getattr(spec, name))
    if "audience" in changed:
        exam.cohorts = _by_name(Cohort, spec.cohorts, "人员类别")
        exam.org_units = _by_name(OrgUnit, spec.org_units, "单位")
    if "paper" in changed:
        exam.rules.clear()
        db.session.flush()
        for position, rule in enumerate(spec.paper, 1):
            exam.rules.append(_exam_rule(rule, position))
    if spec.pass_score > exam.total_points:
        raise ValidationError(f"{glossary.name('pass_score')} {spec.pass_score:g} 高于试卷总分 {exam.total_points:g}。")
    db.session.flush()
    shortfalls = check_rules(exam)
    if shortfalls:
        raise ValidationError("题库中的题不够组卷：" + "；".join(shortfalls))
    audit.record("exam_updated", actor=actor, target=exam.title,
                 details={"id": exam.id, "changed": changed, "after_start": started})
    return changed


def delete_draft(actor: User | None, exam: Exam) -> None:
    """A draft nobody has started, that no 补考 or training programme points to, may be deleted."""
    if exam.status != "draft":
        raise ValidationError("只能删除草稿；已发布的考试可以“结束”。")
    if db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam.id).limit(1)) is not None:
        raise ValidationError("已有人作答，不能删除。")
    if db.session.scalar(select(Exam.id).where(Exam.makeup_of_id == exam.id).limit(1)) is not None:
        raise ValidationError("有补考对应这场考试，请先删除补考。")
    from ..models import Exemption, Programme

    if db.session.scalar(select(Programme.id).where(Programme.exam_id == exam.id).limit(1)) is not None:
        raise ValidationError("有培训项目关联这场考试，请先在培训项目中取消关联。")
    db.session.execute(delete(Exemption).where(Exemption.exam_id == exam.id))
    title, exam_id = exam.title, exam.id
    db.session.delete(exam)
    db.session.flush()
    audit.record("exam_deleted", actor=actor, target=title, details={"id": exam_id})
