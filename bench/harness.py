"""Shared pieces: a waitress server in a thread, concurrent keep-alive HTTP clients."""
from __future__ import annotations

import http.client
import json
import logging
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
