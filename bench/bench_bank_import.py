"""Importing a 10,000-question .xlsx (check + write, one transaction) against the floor: reading
the same workbook's rows with openpyxl and nothing else. Each runs in a fresh process so peak
memory (max RSS) belongs to it alone."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N = 10_000


def make_file(path: Path) -> None:
    from fazhi_exam.bank.exporters.excel import export
    from fazhi_exam.bank.importers.base import ParsedQuestion

    questions = []
    for i in range(N):
        kind = ("single", "multiple", "judge", "fill")[i % 4]
        stem = f"第{i}题：依照《中华人民共和国行政处罚法》，下列关于第{i % 86 + 1}条的说法哪一项正确？"
        if kind == "single":
            q = ParsedQuestion(kind, stem, [f"选项甲{i}", f"选项乙{i}", f"选项丙{i}", f"选项丁{i}"], "ABCD"[i % 4])
        elif kind == "multiple":
            q = ParsedQuestion(kind, stem, [f"甲{i}", f"乙{i}", f"丙{i}", f"丁{i}", f"戊{i}"], "ACD")
        elif kind == "judge":
            q = ParsedQuestion(kind, stem, [], i % 2 == 0)
        else:
            q = ParsedQuestion(kind, stem + "答案为____。", [], [["二", "两"]])
        q.explanation, q.basis = "解析。", "《中华人民共和国行政处罚法》第五条"
        q.difficulty, q.tags = 1 + i % 5, ["执法"]
        questions.append(q)
    path.write_bytes(export(questions))


CHILD = r"""
import json, sys, time
from bench.harness import peak_rss_mb
mode, path, folder = sys.argv[1:4]
start = time.perf_counter()
if mode == "floor":
    from fazhi_exam.files import read_table
    rows = len(read_table(path, open(path, "rb").read()).rows)
    result = {"rows": rows}
else:
    from fazhi_exam import create_app
    from fazhi_exam.database import set_write_intent
    from fazhi_exam.extensions import db
    from flask_migrate import upgrade
    app = create_app({"TESTING": False, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
    with app.app_context():
        set_write_intent(True)
        upgrade()
        from fazhi_exam.bank.laws import ensure_laws
        from fazhi_exam.bank import importing
        ensure_laws()
        t0 = time.perf_counter()
        report = importing.import_file(None, "bench.xlsx", open(path, "rb").read(), bank_name="压测")
        db.session.commit()
        start = t0
        result = {"rows": report.created}
result["seconds"] = time.perf_counter() - start
result["max_rss_mb"] = peak_rss_mb()
print(json.dumps(result))
"""


def _child(mode: str, path: Path, folder: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), folder], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        t0 = time.perf_counter()
        make_file(path)
        made = time.perf_counter() - t0
        floor = _child("floor", path, folder)
        full = _child("import", path, folder)
        print(f"bank_import: {N} questions in a {path.stat().st_size // 1024} KB .xlsx (written in {made:.1f} s)")
        print(f"  floor (read rows only):  {floor['seconds']:6.2f} s, peak {floor['max_rss_mb']:.0f} MB")
        print(f"  import (check + write):  {full['seconds']:6.2f} s, peak {full['max_rss_mb']:.0f} MB, "
              f"{full['rows']} questions written")
        print(f"  ratio import/floor: {full['seconds'] / floor['seconds']:.1f}x time, "
              f"{full['max_rss_mb'] / floor['max_rss_mb']:.1f}x memory")
