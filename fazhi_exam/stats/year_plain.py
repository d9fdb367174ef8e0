"""A year's summary as plain JSON data and back — what a closed year's snapshot keeps for the
dashboard, the API and the report. A restored summary has the shape of a live one: its lines hold
small records with the attributes the pages and the report read (an exam's id, title, opening time,
audience), so the same templates and sentences render it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from .exams import Figures
from .study import AttendanceTotals, SessionRow, StudyFigures
from .year import ExamLine, ProgrammeLine, YearSummary


@dataclass(frozen=True)
class CohortRef:
    id: int
    name: str
    sort_order: int


@dataclass(frozen=True)
class UnitRef:
    name: str
    path: str


@dataclass(frozen=True)
class Ref:
    """An exam, session or programme as the year's pages show it."""

    id: int
    title: str = ""  # exam, programme
    topic: str = ""  # session
    opens_at: datetime | None = None  # exam
    starts_at: datetime | None = None  # session
    cohorts: list[CohortRef] = field(default_factory=list)
    org_units: list[UnitRef] = field(default_factory=list)


def _ref(obj: Any, **times: datetime) -> dict:
    return {"id": obj.id, "title": getattr(obj, "title", ""), "topic": getattr(obj, "topic", ""),
            **{k: v.isoformat() for k, v in times.items()},
            "cohorts": [{"id": c.id, "name": c.name, "sort_order": c.sort_order} for c in obj.cohorts],
            "org_units": [{"name": u.name, "path": u.path} for u in getattr(obj, "org_units", [])]}


def _unref(d: dict) -> Ref:
    times = {k: datetime.fromisoformat(d[k]) for k in ("opens_at", "starts_at") if k in d}
    return Ref(d["id"], d["title"], d["topic"], cohorts=[CohortRef(**c) for c in d["cohorts"]],
               org_units=[UnitRef(**u) for u in d["org_units"]], **times)


def to_plain(s: YearSummary) -> dict:
    return {
        "year": s.year, "scope": s.scope,
        "exams": [{"exam": _ref(e.exam, opens_at=e.exam.opens_at), "figures": asdict(e.figures),
                   "groups": sorted(e.groups)} for e in s.exams],
        "sessions": [{"session": _ref(r.session, starts_at=r.session.starts_at), "expected": r.expected,
                      "present": r.present, "leave": r.leave, "makeup": r.makeup} for r in s.sessions],
        "session_groups": {str(k): sorted(v) for k, v in s.session_groups.items()},
        "programmes": [{"programme": _ref(p.programme), "figures": asdict(p.figures)} for p in s.programmes],
        "cohort_sizes": s.cohort_sizes,
    }


def from_plain(d: dict) -> YearSummary:
    return YearSummary(
        d["year"], d["scope"],
        exams=[ExamLine(_unref(e["exam"]), Figures(**e["figures"]), set(e["groups"])) for e in d["exams"]],
        sessions=[SessionRow(_unref(r["session"]), r["expected"], r["present"], r["leave"], r["makeup"])
                  for r in d["sessions"]],
        session_groups={int(k): set(v) for k, v in d["session_groups"].items()},
        programmes=[ProgrammeLine(_unref(p["programme"]), StudyFigures(**p["figures"])) for p in d["programmes"]],
        cohort_sizes=d["cohort_sizes"],
    )


def totals_to_plain(rows: list[AttendanceTotals]) -> list[dict]:
    return [asdict(r) for r in rows]


def totals_from_plain(rows: list[dict]) -> list[AttendanceTotals]:
    return [AttendanceTotals(**r) for r in rows]
