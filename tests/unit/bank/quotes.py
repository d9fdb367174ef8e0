"""Quotations in the shipped banks' 解析, checked word for word against the cited articles.

Every “…” in an explanation (and in an essay's 参考答案) must appear, character for character, in
one of the articles the question cites (its `basis`) — or in the question itself, when the
explanation quotes what the case says (a villager's words in the stem, an option). A quotation may skip
text with “……”; each piece must then appear. Short quotations (a term of 4 characters or fewer,
such as “应当”) are words, not quotations, and are not checked.

Run on one bank while writing it:  python -m tests.unit.bank.quotes question_banks/cishan.yaml
"""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import yaml

CHECKER = Path(__file__).resolve().parents[3].parent / "shared" / "tools" / "check_citations.py"
QUOTE = re.compile(r"“([^“”]*)”")
EDGE = "，。；：、,.;:！？ \n"
SHORT = 4


def checker():
    spec = importlib.util.spec_from_file_location("check_citations", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("‘", "“").replace("’", "”")


def cited_text(module, laws, basis) -> str:
    parts = []
    for law, article in module.citations(basis):
        if article is not None:
            parts.append(laws.get(module.short_name(law), {}).get(article, ""))
    return _plain("\n".join(parts))


def pieces(quotation: str):
    for piece in re.split(r"…+|⋯+", quotation):
        piece = _plain(piece).strip(EDGE)
        if len(piece) > SHORT:
            yield piece


def problems(path: Path, module=None, laws=None):
    """(question number, quotation piece) for each piece not found in the cited articles."""
    module = module or checker()
    laws = laws if laws is not None else module.load_laws(CHECKER.parent.parent / "laws")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for number, q in enumerate(data.get("questions") or [], 1):
        text = cited_text(module, laws, q.get("basis", ""))
        if not text:
            continue
        text += _plain(str(q.get("stem") or "") + "".join(str(o) for o in q.get("options") or []))
        writing = str(q.get("explanation") or "")
        if q.get("type") == "essay":
            writing += "\n" + str(q.get("answer") or "")
        for quotation in QUOTE.findall(writing):
            for piece in pieces(quotation):
                if piece not in text:
                    found.append((number, piece))
    return found


def main(argv: list[str]) -> int:
    module = checker()
    laws = module.load_laws(CHECKER.parent.parent / "laws")
    bad = 0
    for name in argv:
        for number, piece in problems(Path(name), module, laws):
            bad += 1
            print(f"{name} 第{number}题: 引文与所引条文不符：“{piece}”")
    print(f"quotations not found: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
