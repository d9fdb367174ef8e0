"""Importing a question file: detect the format, parse, check every question, find duplicates,
then write all of it or nothing."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import PurePath

from sqlalchemy import delete, select, update

from .. import audit, isolation
from ..database import pause_for_waiters
from ..errors import ValidationError
from ..extensions import db
from ..models import Bank, Law, Question, User
from .importers.base import FormatError, ParsedQuestion, ParseProblem, ParseResult
from .questions import create_question, get_or_create_bank, set_practice_open
from .types import TYPE_LABELS
from .validation import dedupe_key, question_problems

BATCH = 200  # questions written per committed batch: about 0.1 s of SQLite's write lock each

FORMAT_LABELS = {"native": "题库 YAML/JSON", "excel": "Excel 模板", "txt": "文本题库", "docx": "Word 题库",
                 "gift": "Moodle GIFT", "aiken": "Moodle Aiken", "moodle_xml": "Moodle XML"}


def detect_format(filename: str, content: bytes) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        return "native"
    if suffix == ".xlsx":
        return "excel"
    if suffix == ".docx":
        return "docx"
    if suffix == ".gift":
        return "gift"
    if suffix == ".xml":
        return "moodle_xml"
    if suffix == ".txt":
        head = content[:20000].decode("utf-8", errors="ignore")
        if "ANSWER:" in head.upper() and any(f"\n{c})" in head or f"\n{c}." in head for c in "AB"):
            lines = [ln.strip().upper() for ln in head.splitlines()]
            if any(ln.startswith("ANSWER:") for ln in lines):
                return "aiken"
        if ("{" in head and "}" in head and ("~" in head or "=" in head or "{T}" in head.upper())) \
                or "::" in head:
            return "gift"
        return "txt"
    if suffix == ".xls":
        raise FormatError("暂不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再上传")
    raise FormatError(f"不支持的文件类型“{suffix or filename}”（支持 .xlsx .docx .txt .gift .xml .yaml .json）")


PARSERS = {"native": ("native", "parse"), "excel": ("excel", "parse"), "txt": ("text", "parse_txt"),
           "docx": ("text", "parse_docx"), "gift": ("gift", "parse"), "aiken": ("aiken", "parse"),
           "moodle_xml": ("moodle_xml", "parse")}


def parser_for(fmt: str) -> Callable[[bytes, str], ParseResult]:
    module, function = PARSERS[fmt]
    return getattr(import_module(f"{__package__}.importers.{module}"), function)


@dataclass
class BankImportReport:
    filename: str
    format: str = ""
    bank_name: str = ""
    description: str = ""
    practice_open: bool | None = None  # the file says whether the bank is open for practice
    questions: list[ParsedQuestion] = field(default_factory=list)  # sound and new
    duplicates: list[ParsedQuestion] = field(default_factory=list)  # already there: skipped
    problems: list[ParseProblem] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def warnings(self) -> list[str]:
        """What reading the file changed or left out, per new question, with where it is."""
        return [f"{q.where}：{w}" if q.where else w for q in self.questions for w in q.warnings]

    @property
    def counts(self) -> dict[str, int]:
        by_type = Counter(q.type for q in self.questions)
        return {TYPE_LABELS[t]: by_type[t] for t in TYPE_LABELS if by_type[t]}


def check_file(filename: str, content: bytes, bank_name: str | None = None) -> BankImportReport:
    """Read and check a file without writing anything."""
    report = BankImportReport(filename)
    try:
        report.format = detect_format(filename, content)
        parse = parser_for(report.format)
        parsed = isolation.run(parse, content, filename, what="题库文件") if isolation.enabled() \
            else parse(content, filename)
    except FormatError as exc:
        report.problems.append(ParseProblem("", str(exc)))
        return report
    except ValidationError as exc:  # too big, too slow (isolation), or refused while reading
        report.problems.append(ParseProblem("", exc.message))
        return report
    report.bank_name = (bank_name or parsed.bank_name or PurePath(filename).stem).strip()[:100]
    report.description = parsed.description
    report.practice_open = parsed.practice_open
    report.problems.extend(parsed.problems)
    bank = db.session.scalar(select(Bank).where(Bank.name == report.bank_name))
    existing = set(db.session.scalars(select(Question.dedupe_key).where(Question.bank_id == bank.id))) \
        if bank else set()
    seen: dict[str, str] = {}
    for q in parsed.questions:
        problems = question_problems(q)
        if problems:
            report.problems.extend(ParseProblem(q.where, p) for p in problems)
            continue
        key = dedupe_key(q.stem, q.options)
        if key in existing:
            report.duplicates.append(q)
        elif key in seen:
            report.problems.append(ParseProblem(q.where, f"与{seen[key]}重复"))
        else:
            seen[key] = q.where
            report.questions.append(q)
    if not report.questions and not report.duplicates and not report.problems:
        report.problems.append(ParseProblem("", "文件中没有找到任何试题"))
    return report


def import_steps(actor: User | None, filename: str, content: bytes, *, bank_name: str | None = None,
                 status: str = "published", every: int = 500,
                 commit: Callable[[], None] | None = None) -> Iterator[tuple[int, int] | BankImportReport]:
    """Check (reading only), then write every new question, yielding (done, total) after each
    `every` and the report last. Raises ValidationError, having written nothing, if any question is
    bad.

    Without `commit` everything is written in the caller's transaction (caller commits). With it,
    each batch is committed as it is written, so that SQLite's write lock is held for one batch at a
    time (database.py) while exam saves go on: the batches are written as drafts, and the last,
    short transaction (the caller's) publishes them and records the import — until then no exam can
    draw them. If a batch fails, the batches already written are deleted again (and the error raised)."""
    report = check_file(filename, content, bank_name)
    if not report.ok:
        raise ValidationError(f"文件有 {len(report.problems)} 处错误，未导入任何试题。")
    total = len(report.questions)
    written: list[int] = []
    try:
        bank = get_or_create_bank(actor, report.bank_name, report.description)
        if report.practice_open is not None:
            set_practice_open(actor, bank, report.practice_open)
        laws_by_name = {law.name: law for law in db.session.scalars(select(Law))}
        batch: list[Question] = []
        for i, q in enumerate(report.questions, 1):
            with db.session.no_autoflush:  # a batch is built first, then written in one flush
                batch.append(create_question(actor, bank, q, status="draft" if commit else status,
                                             laws_by_name=laws_by_name, record=False))
            if i % every == 0 or i == total:
                db.session.flush()
                if commit:
                    written += [question.id for question in batch]
                    commit()
                    pause_for_waiters(db.engine)
                batch = []
                yield i, total
    except BaseException:  # also a stream closed half-way (GeneratorExit)
        if written:
            db.session.rollback()
            _delete_written(written)
            audit.record("bank_import_undone", actor=actor, target=report.bank_name,
                         details={"file": filename, "removed": len(written)})
            commit()
        raise
    if commit and status != "draft":
        for i in range(0, len(written), 500):
            db.session.execute(update(Question).where(Question.id.in_(written[i:i + 500]))
                               .values(status=status).execution_options(synchronize_session=False))
    report.created = total
    audit.record("bank_imported", actor=actor, target=bank.name, details={
        "file": filename, "format": report.format, "created": total,
        "duplicates_skipped": len(report.duplicates)})
    yield report


def _delete_written(ids: list[int]) -> None:
    """Undo the batches of an import that failed half-way (new drafts nobody has used)."""
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        db.session.execute(update(Question).where(Question.id.in_(part)).values(current_version_id=None)
                           .execution_options(synchronize_session=False))
        db.session.execute(delete(Question).where(Question.id.in_(part))
                           .execution_options(synchronize_session=False))


def import_file(actor: User | None, filename: str, content: bytes, *, bank_name: str | None = None,
                status: str = "published", progress: Callable[[int, int], None] | None = None,
                commit: Callable[[], None] | None = None) -> BankImportReport:
    """import_steps, run to the end."""
    for step in import_steps(actor, filename, content, bank_name=bank_name, status=status,
                             every=BATCH if commit else 500, commit=commit):
        if isinstance(step, BankImportReport):
            return step
        if progress:
            progress(*step)
    raise AssertionError("import_steps ended without a report")
