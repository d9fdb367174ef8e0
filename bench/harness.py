"""Shared pieces: a waitress server in a thread, concurrent keep-alive HTTP clients, scratch
PostgreSQL databases."""
from __future__ import annotations

import http.client
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager


@contextmanager
def served(app, threads: int = 8) -> Iterator[int]:
    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is expected here

    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.close()


def post_json(conn: http.client.HTTPConnection, path: str, body: dict,
              headers: dict | None = None) -> int:
    conn.request("POST", path, body=json.dumps(body),
                 headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    response.read()
    return response.status


def drive(port: int, clients: int, requests_each: int,
          one: Callable[[http.client.HTTPConnection, int, int], int]) -> tuple[float, int]:
    """Run `clients` concurrent keep-alive clients; return (seconds, failures)."""

    def worker(c: int) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        failures = sum(1 for i in range(requests_each) if one(conn, c, i) >= 400)
        conn.close()
        return failures

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        failures = sum(pool.map(worker, range(clients)))
    return time.perf_counter() - start, failures


POSTGRES_ADMIN_URL = os.environ.get("FAZHI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_admin():
    import sqlalchemy as sa

    url = POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return sa, sa.create_engine(url, isolation_level="AUTOCOMMIT")


def postgres_database(name: str) -> str | None:
    """A fresh, empty database on the benchmark's PostgreSQL server (FAZHI_BENCH_POSTGRES_URL names
    any database there); its URL, or None when no server answers."""
    sa, admin = _postgres_admin()
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError:
        return None
    finally:
        admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(name: str) -> None:
    sa, admin = _postgres_admin()
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        admin.dispose()


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image; ru_maxrss would be
    at least the parent's size at fork, since Linux keeps it across exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
