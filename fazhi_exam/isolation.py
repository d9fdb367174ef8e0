"""Reading an uploaded file in a child process of its own, so that a large or hostile file cannot
hold the web server: the server (waitress: one process, many threads sharing one interpreter lock)
keeps answering the exam hall while the child parses, and the child is stopped when it takes too
long or too much memory. Used by the web imports (PARSE_IN_CHILD, on by default); the command line
parses in its own process anyway."""
from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from typing import Any

from flask import current_app, has_request_context

from .errors import ValidationError

TIMEOUT_SECONDS = 60
MEMORY_BYTES = 1024 * 1024 * 1024  # address space of the child: a parse that needs more is refused


def _child(conn, function: Callable, args: tuple, memory: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):  # not on Linux/Unix, or not allowed: no cap
        pass
    try:
        result = ("ok", function(*args))
    except MemoryError:
        result = ("memory", None)
    except BaseException as exc:  # handed to the parent, which raises it there
        result = ("error", exc)
    try:
        conn.send_bytes(pickle.dumps(result))
    except Exception as exc:  # noqa: BLE001  (an unpicklable result or exception)
        conn.send_bytes(pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}"))))
    finally:
        conn.close()


def enabled() -> bool:
    """In a web request, when PARSE_IN_CHILD is on (the command line parses in its own process)."""
    return has_request_context() and bool(current_app.config.get("PARSE_IN_CHILD"))


def run(function: Callable, *args: Any, what: str, timeout: float = TIMEOUT_SECONDS,
        memory: int = MEMORY_BYTES) -> Any:
    """function(*args) in a fresh child process (function must be importable at module level);
    its result, or its exception raised here. Too slow or too big: a ValidationError naming `what`."""
    context = multiprocessing.get_context("spawn")  # never fork a threaded server
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, function, args, memory), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise ValidationError(f"处理{what}超过 {timeout:g} 秒仍未完成，已停止处理。"
                                  "请把文件拆分成几个较小的文件后重试。")
        try:
            status, value = pickle.loads(receive.recv_bytes())
        except EOFError:  # the child died (killed for memory)
            status, value = "memory", None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if status == "memory":
        raise ValidationError(f"处理{what}所需的内存过多，已停止处理。请把文件拆分成几个较小的文件后重试。")
    if status == "error":
        raise value
    return value
