"""A throwaway installation for the exam benchmarks: a database (SQLite file or a PostgreSQL
database), N examinees, a synthetic bank and an exam open now; servers run as subprocesses so
the load generator does not share their interpreter."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

PASSWORD = "Bench@2024"
SERVER_ENV = {  # hashing cost and route limits are settings, not what these benches measure
    # FAZHI_BENCH_HASH=scrypt measures with the production hash instead
    "FAZHI_PASSWORD_HASH_METHOD": os.environ.get("FAZHI_BENCH_HASH", "pbkdf2:sha256:1000"),
    "FAZHI_RATELIMIT_ENABLED": "false",
    "FAZHI_LOGIN_FAILURES_PER_ADDRESS": '"1000000 per minute"',
    "FAZHI_SECRET_KEY": '"bench-secret"',
}


def build(url: str, instance: Path, examinees: int, *, must_change: int = 0, staff: bool = False) -> int:
    """Migrate, add examinees (u00000…; the first `must_change` must change their password first)
    and an exam open now; with `staff`, an admin and trainer `admin` too. Returns the exam id."""
    os.environ["FAZHI_INSTANCE"] = str(instance)
    from fazhi_exam import clock, create_app
    from fazhi_exam.accounts.orgs import ensure_default_cohorts, save_unit
    from fazhi_exam.accounts.passwords import hash_password
    from fazhi_exam.accounts.users import UserFields, create_user
    from fazhi_exam.bank import importing
    from fazhi_exam.bank.exporters.native import export
    from fazhi_exam.bank.importers.base import ParsedQuestion
    from fazhi_exam.database import set_write_intent
    from fazhi_exam.exam.definitions import create_exam, parse_spec
    from fazhi_exam.extensions import db

    app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "PASSWORD_HASH_METHOD": SERVER_ENV["FAZHI_PASSWORD_HASH_METHOD"]})
    from flask_migrate import upgrade

    with app.app_context():
        set_write_intent(True)
        upgrade()
        cohorts = {c.name: c for c in ensure_default_cohorts()}
        unit = save_unit(None, name="压测镇", kind="town", parent=None)
        pw = hash_password(PASSWORD)
        for i in range(examinees):
            create_user(None, UserFields(username=f"u{i:05d}", name=f"考生{i}", org_unit=unit,
                                         cohorts=[cohorts["村干部"]]), PASSWORD, must_change_password=i < must_change,
                        password_hash=pw)
        if staff:
            create_user(None, UserFields(username="admin", name="管理员", org_unit=unit, roles={"admin", "trainer"}),
                        PASSWORD, must_change_password=False, password_hash=pw)
        questions = [ParsedQuestion("single", f"压测单选题{i}？", [f"甲{i}", f"乙{i}", f"丙{i}", f"丁{i}"],
                                    "ABCD"[i % 4], "解析", "《中华人民共和国行政处罚法》第五条", 2, ["干部"])
                     for i in range(120)]
        questions += [ParsedQuestion("judge", f"压测判断题{i}。", [], i % 2 == 0, "解析",
                                     "《中华人民共和国行政处罚法》第五条", 2, ["干部"]) for i in range(60)]
        importing.import_file(None, "bench.yaml", export(questions, bank="压测库"))
        now = clock.now()
        exam = create_exam(None, parse_spec({
            "title": "压测考试", "audience": {"cohorts": ["村干部"]}, "opens_at": now - timedelta(minutes=5),
            "closes_at": now + timedelta(hours=6), "duration_minutes": 120, "pass_score": 10,
            "paper": [{"bank": "压测库", "type": "single", "count": 15, "points": 1},
                      {"bank": "压测库", "type": "judge", "count": 5, "points": 1}]}), publish=True)
        db.session.commit()
        exam_id = exam.id
        db.engine.dispose()
    return exam_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(kind: str, target: str, url: str, instance: Path):
    """kind: waitress (one process, threads), serve (`fazhi-exam serve` as a township runs it, with its
    own defaults) or gunicorn (2 workers); target: 'module:factory()' (not used by serve)."""
    port = free_port()
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": url, "FAZHI_INSTANCE": str(instance)}
    bindir = Path(sys.executable).parent
    if kind == "serve":
        cmd = [str(bindir / "fazhi-exam"), "serve", "--port", str(port),
               "--processes", os.environ.get("FAZHI_BENCH_SERVE_PROCESSES", "1")]
    elif kind == "waitress":
        module, factory = target.split(":")
        cmd = [str(bindir / "waitress-serve"), f"--port={port}", "--host=127.0.0.1", "--threads=8",
               "--connection-limit=2000", "--backlog=2048", "--call", f"{module}:{factory.rstrip('()')}"]
    else:
        cmd = [str(bindir / "gunicorn"), "--workers", "2", "--threads", "8", "--worker-class", "gthread",
               "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning", target]
    log = instance / f"server-{port}.log"  # a file, not a pipe: a full pipe would stall the server
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
                            cwd=Path(__file__).parent.parent)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(log.read_text()[-2000:]) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
