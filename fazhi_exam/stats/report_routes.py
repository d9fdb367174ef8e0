"""The annual report section: a page showing the sentences and tables, and a .docx download."""
from __future__ import annotations

from flask import Response, render_template, request, url_for

from ..web import download
from . import archive, report, year
from .routes import bp, chosen_year, scope_path

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _href(link: tuple[str, int] | None) -> str | None:
    """Where a table row leads: the exam's figures, the session's or programme's names."""
    if link is None:
        return None
    kind, object_id = link
    if kind == "exam":
        return url_for("stats.exam", exam_id=object_id)
    if kind == "session":
        return url_for("stats.session_people", session_id=object_id, who="expected")
    return url_for("stats.programme", programme_id=object_id, who="unfinished")


def _docx(chosen: int) -> Response:
    scope = scope_path()
    content, unit = archive.docx(chosen, scope)
    return download(content, DOCX_MIMETYPE, f"{unit}{chosen}年度学法考法工作情况.docx")


@bp.route("/report", endpoint="report")
def report_page():
    chosen = chosen_year()
    if request.args.get("format") == "docx":
        return _docx(chosen)
    v = archive.view(chosen, scope_path())
    summary, unit = v.summary, v.unit_name
    tables = report.tables(summary)
    return render_template("stats/report.html", year=chosen, years=year.years_with_records(),
                           title=report.title(chosen, unit), paragraphs=report.paragraphs(summary),
                           tables=tables, hrefs=[[_href(link) for link in t.links] for t in tables],
                           definitions=report.definitions(),
                           generated=report.generated_line(v.generated_at), closure=v.closure)


@bp.route("/report.docx")
def report_docx():
    return _docx(chosen_year())
