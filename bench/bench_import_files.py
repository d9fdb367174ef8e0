"""Upload-sized files of every accepted kind, at the import limits or hostile within them (issue 14
point 2): each is checked the way the web preview checks it — `bank.importing.check_file`, or
`accounts.user_import.check_file` on a migrated SQLite database with a town of 30 villages — in a
fresh process, so that peak memory (VmHWM) is that check's own. Target: under 30 s and 300 MB each.

The floor, per file, in a fresh process of the same application: reading the same bytes and nothing
else (every member of a zip unpacked and dropped; a text file decoded and split into lines)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from bench import import_files as f

SECONDS, MEGABYTES = 30.0, 300.0
VILLAGES = [f"第{i}村" for i in range(30)]


def _yaml(data) -> bytes:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def _lines(lines) -> bytes:
    return "\n".join(lines).encode()


def _hostile_lines() -> bytes:
    """Lines just under the length limit that made the old layout patterns backtrack: a heading word
    and a run of spaces (cubic), a stem with thousands of "A." (quadratic), a numbered fill answer
    with thousands of commas (quadratic)."""
    block = ["一、单选题", "一" + " " * 9000 + "x", "1. 题" + " A.甲" * 2200, "答案：（1）" + "，" * 9000 + "x"]
    return _lines(block * 80)


# (name, who checks it, file name, how to make it, what it shows)
CASES: list[tuple[str, str, str, Callable[[], bytes]]] = [
    ("题库 .xlsx：行数多（约 6 万行）", "bank", "rows.xlsx", lambda: f.xlsx(f.bank_rows(60_000))),
    ("题库 .xlsx：正好 20,000 题（上限）", "bank", "limit.xlsx", lambda: f.xlsx(f.bank_rows(20_000))),
    ("题库 .xlsx：长单元格（1,000 题 × 约 7,000 字）", "bank", "long.xlsx", lambda: f.xlsx(
        [f.BANK_HEADER] + [["简答题", f"第{i}题" + f._words(i, 1990), "", "", "", "", f._words(i + 1, 3000),
                            f._words(i + 2, 4990), "", 3, ""] for i in range(1000)])),
    ("题库 .xlsx：64,000 种单元格格式 + 1,000 题", "bank", "formats.xlsx", lambda: f.xlsx(
        f.bank_rows(1000), formats=64_000)),
    ("题库 .xlsx：解压 60 MB 的空格式单元格", "bank", "styled.xlsx", lambda: f.xlsx(
        list(f.bank_rows(10)) + [[f.STYLED] * 60 for _ in range(48_000)])),
    ("题库 .xlsx：解压 91 MB（issue 中的文件）", "bank", "issue.xlsx", lambda: f.xlsx(
        ([(i * 31 + c * 17) % 997 for c in range(16)] for i in range(330_000)), refs=False)),
    ("人员 .xlsx：正好 20,000 人（上限）", "users", "roster.xlsx", lambda: f.xlsx(f.roster_rows(20_000, VILLAGES))),
    ("人员 .xlsx：约 5 MB（15 万人）", "users", "roster-big.xlsx", lambda: f.xlsx(
        f.roster_rows(150_000, VILLAGES))),
    ("题库 .docx：150 万个短段落（issue）", "bank", "paras.docx", lambda: f.docx(
        (f"{i}." for i in range(1_500_000)), styles=False)),
    ("题库 .docx：99,977 段（16,660 题）", "bank", "limit.docx", lambda: f.docx(f.text_questions(16_660))),
    ("题库 .txt：99,977 行（16,660 题）", "bank", "limit.txt", lambda: _lines(f.text_questions(16_660))),
    ("题库 .txt：约 7 MB（2 万题）", "bank", "big.txt", lambda: _lines(f.text_questions(20_000))),
    ("题库 .txt：回溯型恶意行（240 行 × 9,000 字）", "bank", "hostile.txt", _hostile_lines),
    ("题库 .gift：正好 20,000 题（上限）", "bank", "limit.gift", lambda: _lines(f.gift_questions(20_000))),
    ("题库 .yaml：约 5 MB（10,000 题）", "bank", "big.yaml", lambda: _yaml(f.native_questions(10_000))),
    ("题库 .yaml：约 5 MB 的空列表（100 万项）", "bank", "nodes.yaml", lambda: b"questions:\n" + b"- []\n" * 1_000_000),
    ("题库 .yaml：深嵌套 5 MB", "bank", "deep.yaml", lambda: b"questions: " + b"[" * 2_500_000 + b"]" * 2_500_000),
    ("题库 .json：约 5 MB（10,000 题）", "bank", "big.json", lambda: f.json_bytes(f.native_questions(10_000))),
    ("题库 .json：约 5 MB 的空列表", "bank", "nodes.json", lambda: b'{"questions": [' + b"[]," * 1_700_000 + b"[]]}"),
]

CHILD = r"""
import json, sys, time
mode, kind, path, db = sys.argv[1:5]
from bench.harness import peak_rss_mb
from fazhi_exam import create_app
from fazhi_exam.accounts import user_import
from fazhi_exam.bank import importing
from fazhi_exam.bank.importers import aiken, docx_reader, excel, gift, native, text  # loaded, as in a server
import docx, openpyxl, yaml
app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db}"})
content = open(path, "rb").read()
name = path.rsplit("/", 1)[-1]
with app.app_context():
    t0 = time.perf_counter()
    if mode == "floor":
        if content[:2] == b"PK":
            import io, zipfile
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                for info in archive.infolist():
                    with archive.open(info) as member:
                        while member.read(1 << 20):
                            pass
        else:
            content.decode("utf-8").splitlines()
        result = ""
    elif kind == "users":
        report = user_import.check_file(None, name, content)
        result = f"接受 {len(report.rows):,} 人" if report.ok else "拒绝：" + report.errors[0].message
    else:
        report = importing.check_file(name, content)
        result = f"接受 {len(report.questions):,} 题" if report.ok else (
            f"{len(report.problems):,} 处问题：" if len(report.problems) > 1 else "拒绝：") + str(report.problems[0])
    seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb(), "result": result}, ensure_ascii=False))
"""

SETUP = r"""
import sys
from flask_migrate import upgrade
from fazhi_exam import create_app
from fazhi_exam.database import write_intent
from fazhi_exam.extensions import db
app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sys.argv[1]}"})
with app.app_context():
    upgrade()
    with write_intent():
        from fazhi_exam.accounts.orgs import ensure_default_cohorts, save_unit
        ensure_default_cohorts()
        town = save_unit(None, name="大张楼镇", kind="town", parent=None)
        for name in sys.argv[2:]:
            save_unit(None, name=name, kind="village", parent=town)
        db.session.commit()
"""


def _child(script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def _unpacked(content: bytes) -> str:
    if content[:2] != b"PK":
        return ""
    with zipfile.ZipFile(__import__("io").BytesIO(content)) as archive:
        return f"{sum(i.file_size for i in archive.infolist()) / 2 ** 20:.0f}"


def run(only: str | None = None) -> None:
    print("\n## import_files：约 5 MB 的各类导入文件（上限附近或恶意构造）", flush=True)
    rows = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "template.sqlite"
        _child(SETUP, str(template), *VILLAGES)
        made = 0.0
        for label, kind, filename, make in CASES:
            if only and only not in filename:
                continue
            t0 = time.perf_counter()
            path = folder / filename
            content = make()
            path.write_bytes(content)
            made += time.perf_counter() - t0
            db = folder / f"{filename}.sqlite"
            shutil.copy(template, db)
            floor = _child(CHILD, "floor", kind, str(path), str(db))
            check = _child(CHILD, "check", kind, str(path), str(db))
            rows.append((label, len(content), _unpacked(content), check, floor))
            print(f"  {label}: {check['seconds']:.2f} s, {check['peak_mb']:.0f} MB — {check['result'][:70]}",
                  flush=True)
    print(f"（生成文件 {made:.0f} 秒，共 {time.perf_counter() - started:.0f} 秒）")
    print("| 文件 | 大小 MB | 解压 MB | 结果 | 秒 | 峰值 MB | 底线 秒 | 底线 MB | 比值（时间 / 内存） | 目标 |\n"
          "|---|---|---|---|---|---|---|---|---|---|")
    for label, size, unpacked, check, floor in rows:
        ok = "达标" if check["seconds"] < SECONDS and check["peak_mb"] < MEGABYTES else "未达标"
        result = check["result"] if len(check["result"]) <= 60 else check["result"][:58] + "……"
        print(f"| {label} | {size / 2 ** 20:.1f} | {unpacked} | {result} | {check['seconds']:.2f} | "
              f"{check['peak_mb']:.0f} | {floor['seconds']:.2f} | {floor['peak_mb']:.0f} | "
              f"{check['seconds'] / max(floor['seconds'], 0.01):.1f}× / {check['peak_mb'] / floor['peak_mb']:.1f}× | "
              f"{ok} |")


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else None)
