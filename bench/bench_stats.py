"""Statistics over a synthetic year (bench/stats_world.py: 100,000 attempts × 50 answers by default)
on SQLite and on PostgreSQL. Each figure is timed against a floor measured in the same run on the
same database:

- one exam's figures (total, by unit, by cohort, score bands) and the year's dashboard page
  (logged in, rendered) — target under 1 s; floor: one aggregate over the exam's attempts;
- item analysis of one exam — target under 5 s; floor: one aggregate over the exam's answers;
- the same item analysis read back once kept (an ended exam's analysis is worked out once);
- the full .xlsx export (every sheet) in a fresh process — target under 20 s and 300 MB peak
  memory; floor: the same process writing the per-person score rows, read with one raw query.
  Twice: the first export of the year works out the item analyses not yet kept (here all but the
  one above: the first time anyone reads them) and keeps them; the second reads them back;
- closing the year (归档) in a fresh process, with a village admin for every village (each village's
  view is kept too) — target under 60 s; floor: the same .xlsx floor.

FAZHI_BENCH_ATTEMPTS changes the size; FAZHI_BENCH_POSTGRES_URL names a database on the PostgreSQL
server to use (default: the local one's "postgres"; skipped if unreachable)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import drop_postgres_database, postgres_database

ATTEMPTS = int(os.environ.get("FAZHI_BENCH_ATTEMPTS", "100000"))
PG_DATABASE = "fazhi_bench_stats"

MEASURE = r"""
import json, sys, time
url, year = sys.argv[1], int(sys.argv[2])
from fazhi_exam import create_app
from fazhi_exam.extensions import db
from fazhi_exam.models import Exam
import sqlalchemy as sa
app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
out = {}
def timed(name, fn, repeat=3):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    out[name] = best
with app.app_context():
    from fazhi_exam.stats import exams, items
    exam = db.session.scalar(sa.select(Exam).where(Exam.kind == "formal").order_by(Exam.id))
    timed("floor_exam", lambda: db.session.execute(sa.text(
        "SELECT count(*), avg(score), max(score), min(score) FROM attempts WHERE exam_id = :e"), {"e": exam.id}).all())
    timed("exam_figures", lambda: exams.exam_stats(exam))
    timed("floor_items", lambda: db.session.execute(sa.text(
        "SELECT aq.question_id, count(*), sum(a.score) FROM attempt_questions aq "
        "JOIN attempts t ON t.id = aq.attempt_id LEFT JOIN answers a ON a.attempt_question_id = aq.id "
        "WHERE t.exam_id = :e GROUP BY aq.question_id"),
        {"e": exam.id}).all(), repeat=2)
    timed("item_analysis", lambda: items.item_analysis(exam), repeat=2)
    out["item_count"] = len(items.item_analysis(exam))
    from fazhi_exam.stats import item_store
    item_store.analysis(exam)  # worked out and kept (the exam has ended)
    exam = db.session.get(Exam, exam.id)
    timed("item_kept", lambda: item_store.analysis(exam))
client = app.test_client()
login = client.post("/api/v1/session", json={"username": "admin", "password": "Bench@2024"})
assert login.status_code == 200, login.get_data(as_text=True)
def dashboard():
    r = client.get(f"/stats/?year={year}")
    assert r.status_code == 200, r.status_code
timed("dashboard", dashboard)
print(json.dumps(out))
"""

EXPORT = r"""
import json, sys, time
from bench.harness import peak_rss_mb
mode, url, year, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
from fazhi_exam import create_app
from fazhi_exam.extensions import db
import sqlalchemy as sa
app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
with app.app_context():
    t0 = time.perf_counter()
    if mode == "floor":
        from fazhi_exam.xlsx import workbook
        rows = db.session.execute(sa.text(
            "SELECT e.title, u.name, u.username, a.score FROM attempts a JOIN exams e ON e.id = a.exam_id "
            "JOIN users u ON u.id = a.user_id"))
        body = workbook([("成绩明细", ["考试", "姓名", "账号", "成绩"], rows)])
    else:
        from fazhi_exam.stats import export, year as years
        body = export.xlsx_bytes(years.summary(year))
    open(target, "wb").write(body)
    seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb(),
                  "bytes": len(body)}))
"""


CLOSE = r"""
import json, sys, time
from bench.harness import peak_rss_mb
url, year = sys.argv[1], int(sys.argv[2])
from fazhi_exam import create_app
from fazhi_exam.database import write_intent
from fazhi_exam.extensions import db
from fazhi_exam.models import OrgUnit, User, UserRole
import sqlalchemy as sa
app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
with app.app_context(), write_intent():
    from fazhi_exam import clock
    from fazhi_exam.stats import archive
    villages = list(db.session.scalars(sa.select(OrgUnit).where(OrgUnit.kind == "village")))
    for unit in villages:  # a village admin each: in no audience (no unit, no cohort)
        user = User(username=f"cunguan{unit.id}", name=f"{unit.name}管理员", password_hash="x", active=True,
                    must_change_password=False, created_at=clock.now(), scope_org_unit_id=unit.id)
        db.session.add(user)
        db.session.flush()
        db.session.add(UserRole(user_id=user.id, role="admin"))
    db.session.commit()
    t0 = time.perf_counter()
    archive.close_year(None, year)
    db.session.commit()
    seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb(), "scopes": len(villages) + 1}))
"""


def _child(script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _one(label: str, url: str, folder: Path) -> list[tuple]:
    from bench.stats_world import build

    made = build(url, folder / "instance", attempts=ATTEMPTS)
    print(f"  {label}: 合成 {made['attempts']} 份答卷、{made['answers']} 条作答、{made['users']} 人，"
          f"用时 {made['seconds']} 秒", flush=True)
    m = _child(MEASURE, url, str(made["year"]))
    floor = _child(EXPORT, "floor", url, str(made["year"]), str(folder / "floor.xlsx"))
    full = _child(EXPORT, "export", url, str(made["year"]), str(folder / "export.xlsx"))
    again = _child(EXPORT, "export", url, str(made["year"]), str(folder / "export2.xlsx"))
    same = (folder / "export.xlsx").read_bytes() == (folder / "export2.xlsx").read_bytes()
    closed = _child(CLOSE, url, str(made["year"]))
    return [
        (label, "单场考试统计（合计、单位、类别、分布）", m["exam_figures"], 1.0, m["floor_exam"]),
        (label, "年度统计页（登录后渲染）", m["dashboard"], 1.0, m["floor_exam"]),
        (label, f"试题分析（{m['item_count']} 题）", m["item_analysis"], 5.0, m["floor_items"]),
        (label, "试题分析（已保存，读回）", m["item_kept"], 5.0, m["floor_items"]),
        (label, f"首次导出 .xlsx（算出并保存试题分析；峰值 {full['peak_mb']:.0f} MB，底线 {floor['peak_mb']:.0f} MB）",
         full["seconds"], 20.0, floor["seconds"]),
        (label, f"再次导出 .xlsx（读回试题分析；峰值 {again['peak_mb']:.0f} MB；"
                f"与首次{'逐字节相同' if same else '不同！'}）",
         again["seconds"], 20.0, floor["seconds"]),
        (label, f"年度归档（全镇 + {closed['scopes'] - 1} 个村的视图，峰值 {closed['peak_mb']:.0f} MB）",
         closed["seconds"], 60.0, floor["seconds"]),
    ]


def run() -> None:
    print(f"\n## stats：{ATTEMPTS} 份答卷的年度统计", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows += _one("SQLite", f"sqlite:///{folder}/stats.sqlite", folder)
        pg = postgres_database(PG_DATABASE)
        if pg is None:
            print("  PostgreSQL 不可用，跳过。")
        else:
            try:
                (folder / "pg").mkdir()
                rows += _one("PostgreSQL", pg, folder / "pg")
            finally:
                drop_postgres_database(PG_DATABASE)
    print("| 数据库 | 项目 | 秒 | 目标 | 底线 秒 | 比值 |\n|---|---|---|---|---|---|")
    for label, what, seconds, target, floor in rows:
        ok = "达标" if seconds < target else "未达标"
        print(f"| {label} | {what} | {seconds:.3f} | < {target:g}（{ok}） | {floor:.3f} | {seconds / floor:.1f}× |")


if __name__ == "__main__":
    t = time.perf_counter()
    run()
    print(f"（共 {time.perf_counter() - t:.0f} 秒）")
