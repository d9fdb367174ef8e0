"""The bell (issue 14): PHONES examinees, each on its own keep-alive connection, sign in within
ARRIVAL seconds of the exam opening (the first MUST_CHANGE of them change their initial password
first: sign in, change, sign in again), start, and save an answer every SAVE_EVERY seconds for
DURATION seconds — while a trainer imports a ~5 MB bank in the browser (upload, preview, confirm)
and an admin downloads the year's .xlsx export. On SQLite behind `fazhi-exam serve` (the township's
server, its own defaults) and on PostgreSQL behind gunicorn (2 workers × 8 threads).

Reported: p50/p95/p99 of sign-in + start and of a save (targets: p99 < 3 s and < 1 s), errors (any
non-200 or connection failure; target 0), acknowledged saves missing from the database afterwards
(target 0), how long the import and the export took, and tracebacks in the server's log (target 0).
A floor is measured in the same run: the same saves with nothing else happening (the quiet p99).

FAZHI_BENCH_PHONES (300), FAZHI_BENCH_STORM_SECONDS (180) size it."""
from __future__ import annotations

import asyncio
import os
import random
import re
import tempfile
import time
from pathlib import Path

import httpx

from .bench_exam import TLS, _lost, _pct, _response
from .exam_world import PASSWORD, build, server
from .harness import drop_postgres_database, postgres_database

PHONES = int(os.environ.get("FAZHI_BENCH_PHONES", "300"))
DURATION = int(os.environ.get("FAZHI_BENCH_STORM_SECONDS", "180"))
MUST_CHANGE, ARRIVAL, SAVE_EVERY = 40, 10.0, 5.0
NEW_PASSWORD = "Xinmima@2024"
BANK_QUESTIONS = 2000  # with long texts: about 5 MB of YAML


def bank_file() -> bytes:
    from fazhi_exam.bank.exporters.native import export
    from fazhi_exam.bank.importers.base import ParsedQuestion

    filler = ("依照《中华人民共和国行政处罚法》的规定，行政机关在作出行政处罚决定之前，应当告知当事人拟作出的"
              "行政处罚内容及事实、理由、依据，并告知当事人依法享有的陈述、申辩、要求听证等权利。")
    head = filler[:40]
    questions = [ParsedQuestion("single", f"第{i}题：{filler}下列说法正确的是？（压测 {i}）",
                                [f"{head}甲{i}", f"{head}乙{i}", f"{head}丙{i}", f"{head}丁{i}"],
                                "ABCD"[i % 4], filler * 6, "《中华人民共和国行政处罚法》第四十四条", 2, ["执法"])
                 for i in range(BANK_QUESTIONS)]
    return export(questions, bank="压测大题库")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


async def _staff(base: str, content: bytes, year: int, out: dict) -> None:
    """A trainer's import (upload → preview → confirm, read to the end) and an admin's export."""
    async with httpx.AsyncClient(base_url=base, timeout=300, verify=TLS) as web:
        page = await web.get("/login")
        r = await web.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": _csrf(page.text)})
        assert r.status_code == 302, r.status_code
        await asyncio.sleep(ARRIVAL / 2)  # the hall is signing in
        t0 = time.perf_counter()
        form = await web.get("/bank/import")
        r = await web.post("/bank/import", data={"csrf_token": _csrf(form.text), "bank": "", "status": "published"},
                           files={"file": ("压测大题库.yaml", content, "application/x-yaml")})
        action = re.search(r'action="(/bank/import/[^"]+)"', r.text)
        if action is None:
            out["import"] = f"预览未通过（{r.status_code}）"
        else:
            done = await web.post(action.group(1), data={"csrf_token": _csrf(r.text)})
            ok = f"已导入 {BANK_QUESTIONS} 道试题" in done.text
            out["import"] = f"{time.perf_counter() - t0:.1f} 秒" + ("" if ok else "（未成功）")
        t0 = time.perf_counter()
        r = await web.get(f"/stats/export?year={year}")
        out["export"] = f"{time.perf_counter() - t0:.1f} 秒，{len(r.content) // 1024} KB，{r.status_code}"


async def _phone(i: int, base: str, exam_id: int, saves: int, result: dict) -> None:
    rng = random.Random(i)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    await asyncio.sleep(rng.uniform(0, ARRIVAL))
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, verify=TLS) as client:
        t0 = time.perf_counter()
        try:
            r = await client.post("/api/v1/session", json={"username": f"u{i:05d}", "password": PASSWORD})
            r.raise_for_status()
            token = r.json()["csrf_token"]
            if i < MUST_CHANGE:
                r = await client.post("/api/v1/me/password", headers={"X-CSRFToken": token},
                                      json={"old_password": PASSWORD, "new_password": NEW_PASSWORD})
                r.raise_for_status()
                r = await client.post("/api/v1/session", json={"username": f"u{i:05d}", "password": NEW_PASSWORD})
                r.raise_for_status()
                token = r.json()["csrf_token"]
            r = await client.post(f"/api/v1/exams/{exam_id}/attempts", headers={"X-CSRFToken": token})
            r.raise_for_status()
            paper = r.json()
        except httpx.HTTPStatusError as exc:
            result["errors"].append(f"start {exc.response.status_code}")
            return
        except httpx.HTTPError as exc:
            result["errors"].append(f"start {type(exc).__name__}")
            return
        result["login+start"].append(time.perf_counter() - t0)
        for n in range(saves):
            await asyncio.sleep(SAVE_EVERY)
            q = paper["questions"][n % len(paper["questions"])]
            response, seq = _response(q, rng), n + 1
            t0 = time.perf_counter()
            try:
                r = await client.put(f"/api/v1/attempts/{paper['attempt_id']}/answers/{q['id']}",
                                     json={"response": response, "seq": seq}, headers={"X-CSRFToken": token})
            except httpx.HTTPError as exc:
                result["errors"].append(f"save {type(exc).__name__}")
                continue
            result["save"].append(time.perf_counter() - t0)
            if r.status_code == 200:
                result["acked"][(paper["attempt_id"], q["id"])] = (seq, response)
            else:
                result["errors"].append(f"save {r.status_code}")


async def _storm(base: str, exam_id: int, phones: range, seconds: float, staff: tuple | None) -> dict:
    result: dict = {"login+start": [], "save": [], "errors": [], "acked": {}}
    saves = int(seconds // SAVE_EVERY)
    jobs = [_phone(i, base, exam_id, saves, result) for i in phones]
    if staff is not None:
        jobs.append(_staff(base, *staff, result))
    await asyncio.gather(*jobs)
    return result


def _one(label: str, kind: str, url: str, instance: Path, content: bytes) -> dict:
    from fazhi_exam import clock

    quiet = 20  # the floor: 20 phones saving with nothing else going on, 30 s
    exam_id = build(url, instance, PHONES + quiet, must_change=MUST_CHANGE, staff=True)
    year = clock.now().astimezone(clock.BEIJING).year
    with server(kind, "fazhi_exam:create_app()", url, instance) as base:
        floor = asyncio.run(_storm(base, exam_id, range(PHONES, PHONES + quiet), 30, None))
        storm = asyncio.run(_storm(base, exam_id, range(PHONES), DURATION, (content, year)))
    logs = "".join(p.read_text(errors="replace") for p in instance.glob("server-*.log"))
    storm["tracebacks"] = logs.count("Traceback")
    storm["lost"] = _lost(url, storm["acked"]) + _lost(url, floor["acked"])
    storm["floor_p99"] = _pct(floor["save"], 99)
    storm["label"] = label
    return storm


def run() -> None:
    print(f"\n## storm：{PHONES} 部手机在开考 {ARRIVAL:.0f} 秒内登录（其中 {MUST_CHANGE} 人先改初始密码）、开考，"
          f"每 {SAVE_EVERY:.0f} 秒保存一次，共 {DURATION} 秒；同时导入约 5 MB 题库、导出年度 Excel", flush=True)
    content = bank_file()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite_dir = Path(folder) / "sqlite"
        sqlite_dir.mkdir()
        results.append(_one("SQLite，fazhi-exam serve", "serve", f"sqlite:///{sqlite_dir / 'storm.sqlite'}",
                            sqlite_dir, content))
        pg = postgres_database("fazhi_bench_storm")
        if pg is None:
            print("  PostgreSQL 不可用，跳过。")
        else:
            try:
                pg_dir = Path(folder) / "pg"
                pg_dir.mkdir()
                results.append(_one("PostgreSQL，gunicorn ×2", "gunicorn", pg, pg_dir, content))
            finally:
                drop_postgres_database("fazhi_bench_storm")
    print(f"题库文件 {len(content) / 1024 / 1024:.1f} MB，{BANK_QUESTIONS} 道题")
    print("| 服务器 | 登录+开考 p50/p95/p99 ms | 保存 p50/p95/p99 ms（安静时 p99） | 保存次数 | 错误 | 丢失 "
          "| 导入 | 导出 | 日志中的 Traceback |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        starts, saves = r["login+start"], r["save"]
        kinds = {}
        for e in r["errors"]:
            kinds[e] = kinds.get(e, 0) + 1
        print(f"| {r['label']} | {_pct(starts, 50):.0f} / {_pct(starts, 95):.0f} / {_pct(starts, 99):.0f} "
              f"| {_pct(saves, 50):.0f} / {_pct(saves, 95):.0f} / {_pct(saves, 99):.0f}（{r['floor_p99']:.0f}） "
              f"| {len(saves)} | {len(r['errors'])} {kinds or ''} | {r['lost']} | {r.get('import', '未完成')} "
              f"| {r.get('export', '未完成')} | {r['tracebacks']} |")
    print("目标：错误 0、丢失 0、保存 p99 < 1000 ms、登录+开考 p99 < 3000 ms、Traceback 0")


if __name__ == "__main__":
    t = time.perf_counter()
    run()
    print(f"（共 {time.perf_counter() - t:.0f} 秒）")
