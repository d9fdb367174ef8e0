"""Statistics over the JSON API (DESIGN §6): one exam's figures by org unit and cohort, its item
analysis, and a year's summary. Trainers and admins only; a village admin gets their village."""
from __future__ import annotations

from flask_login import current_user

from ..api import bp
from ..extensions import db
from ..models import Exam
from ..policy import get_or_404
from . import archive, item_store, year
from . import exams as exam_stats
from .charts import band_labels
from .definitions import FIGURES
from .routes import chosen_year, scope_path

DEFINITIONS = {key: FIGURES[key] for key in ("expected", "excused", "took", "took_rate", "passed", "pass_rate",
                                             "mean")}
DEFINITIONS["pass_rate_of_expected"] = FIGURES["pass_rate_expected"]


def figures_json(f: exam_stats.Figures) -> dict:
    return {"expected": f.expected, "excused": f.excused, "took": f.took, "missed": f.missed, "passed": f.passed,
            "failed": f.took - f.passed - f.pending, "pending": f.pending, "passed_via_makeup": f.via_makeup,
            "took_rate": f.took_rate, "pass_rate": f.pass_rate, "pass_rate_of_expected": f.pass_rate_expected,
            "mean": f.mean, "max": f.high, "min": f.low}


def _exam(exam_id: int) -> Exam:
    return get_or_404(Exam, exam_id, message="考试不存在。")


@bp.route("/exams/<int:exam_id>/stats", methods=["GET"])
def exam_stats_json(exam_id: int):
    exam = _exam(exam_id)
    s = exam_stats.exam_stats(exam, scope_path())
    makeups = list(db.session.scalars(db.select(Exam.id).where(Exam.makeup_of_id == exam.id).order_by(Exam.id)))
    return {
        "exam": {"id": exam.id, "title": exam.title, "kind": exam.kind, "opens_at": exam.opens_at.isoformat(),
                 "closes_at": exam.closes_at.isoformat(), "pass_score": exam.pass_score,
                 "total_points": exam.total_points, "score_policy": exam.score_policy,
                 "count_makeup": exam.count_makeup, "makeup_of": exam.makeup_of_id, "makeups": makeups},
        "scope": current_scope_name(),
        "total": figures_json(s.total),
        "by_unit": [{"unit_id": f.key, "unit": f.label, **figures_json(f)} for f in s.by_unit],
        "by_cohort": [{"cohort_id": f.key, "cohort": f.label, **figures_json(f)} for f in s.by_cohort],
        "score_bands": [{"band": label, "count": n} for label, n in zip(band_labels(), s.bands, strict=True)],
        "definitions": DEFINITIONS,
    }


@bp.route("/exams/<int:exam_id>/items", methods=["GET"])
def exam_items_json(exam_id: int):
    exam = _exam(exam_id)
    return {"exam_id": exam.id, "items": [
        {"question_id": i.question_id, "version_id": i.version_id, "type": i.type, "answer": i.key, "n": i.n,
         "facility": i.facility, "discrimination": i.discrimination, "point_biserial": i.point_biserial,
         "choices": dict(i.choices), "unanswered": i.unanswered, "flags": i.flags}
        for i in item_store.analysis(exam)]}


@bp.route("/stats/years/<int:year_>", methods=["GET"])
@bp.route("/stats", methods=["GET"])
def year_json(year_: int | None = None):
    """A year's summary: /stats/years/2023, or /stats?year=2023 (default: this year)."""
    year_ = year_ or chosen_year()
    v = archive.view(year_, scope_path())
    s = v.summary
    present, expected = s.attendance
    return {
        "year": year_,
        "scope": v.unit_name if v.scope is not None else None,
        "archive": archive_json(v.closure),
        "sessions": {
            "held": len(s.sessions), "planned": v.planned,
            "by_group": {key: len(s.sessions_of(key)) for key in year.GROUPS},
            "present": present, "expected": expected, "attendance_rate": present / expected if expected else None,
            "list": [{"id": r.session.id, "topic": r.session.topic, "starts_at": r.session.starts_at.isoformat(),
                      "expected": r.expected, "present": r.present, "leave": r.leave, "excused": r.excused,
                      "makeup": r.makeup,
                      "absent": r.absent, "attendance_rate": r.rate} for r in s.sessions],
        },
        "exams": [{"id": line.exam.id, "title": line.exam.title, "groups": sorted(line.groups),
                   **figures_json(line.figures)} for line in s.exams],
        "groups": {key: {"label": label, "exams": len(s.exams_of(key)),
                         "sessions": len(s.sessions_of(key)),
                         "study": dict(zip(("completed", "members"), s.study_rate(key), strict=True))}
                   for key, (label, _) in year.GROUPS.items()},
        "programmes": [{"id": p.programme.id, "title": p.programme.title, "members": p.figures.members,
                        "excused": p.figures.excused, "completed": p.figures.completed,
                        "study_rate": p.figures.rate} for p in s.programmes],
        "cohorts": s.cohort_sizes,
    }


def archive_json(closure) -> dict | None:
    """A closed year: when and by whom (its figures are the snapshot's); None: live figures."""
    if closure is None:
        return None
    return {"closed_at": closure.closed_at.isoformat(), "closed_by": closure.closed_by_name}


def current_scope_name() -> str | None:
    unit = current_user.scope_org_unit
    return unit.name if unit is not None else None
