"""How much one uploaded file may hold — the one place for these numbers (README: “导入的上限”).

Each reader checks a limit before the expensive work where the count is cheap to learn (a .txt's lines,
a .docx's paragraphs counted in the raw XML, a zip's directory), and counts while streaming where
only reading tells (the rows of a sheet, the questions of a file). A real township file stays far
below every limit: a bank of a few thousand questions, a roster of a few thousand people; the limits
keep a 5 MB upload of any kind under 30 s and 300 MB."""
from __future__ import annotations

# .xlsx / .docx packages
MAX_UNPACKED = 64 * 1024 * 1024  # all members unpacked; a real 5,000-question .docx is ~40 MB, an .xlsx ~15 MB
MAX_RATIO = 100  # unpacked / packed; Office files are 3–30
MAX_MEMBERS = 5000  # files inside the zip
MAX_PART = 4 * 1024 * 1024  # a part read whole (workbook, Word styles and numbering, relationships)

# tables (.xlsx / .csv): users, study plans, sign-in sheets, the bank template
MAX_ROWS = 20_000  # rows with content below the header
MAX_COLUMNS = 100
MAX_CELLS = 500_000  # cells with content

# question files
MAX_PARAGRAPHS = 100_000  # .docx
MAX_ELEMENTS_PER_ITEM = 20_000  # XML elements inside one paragraph or cell (a real one has a few dozen)
MAX_LINES = 100_000  # .txt, .gift, Aiken
MAX_CHARS = 3_000_000  # .txt, .gift, Aiken, .docx: characters in the whole file
MAX_LINE_CHARS = 10_000  # one line or paragraph; a stem may have 2,000, an explanation 5,000
MAX_QUESTIONS = 20_000  # questions in one bank file
MAX_NODES = 1_000_000  # values in a .yaml/.json file (a question is about 20)
MAX_DEPTH = 20  # nesting in a .yaml/.json file (the format needs 5)

SPLIT = "已拒绝处理（请拆分成几个文件）。"


def n(value: int) -> str:
    return f"{value:,}"


def too_many(filename: str, count: int, what: str, limit: int, *, at_least: bool = False) -> str:
    """"文件“x.docx”有 1,500,000 段，超过每个文件 100,000 段的上限，已拒绝处理（请拆分成几个文件）。"

    what is the counted thing with its measure word: "段", "行", "道题", "个字". at_least: the count
    was stopped at the first one over the limit."""
    has = f"至少有 {n(count)} {what}" if at_least else f"有 {n(count)} {what}"
    return f"文件“{filename}”{has}，超过每个文件 {n(limit)} {what}的上限，{SPLIT}"


def line_too_long(filename: str, where: str, length: int) -> str:
    return (f"文件“{filename}”{where}有 {n(length)} 个字，超过每行（段）{n(MAX_LINE_CHARS)} 个字的上限，"
            "已拒绝处理（题干、选项和解析应分行写）。")


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size:,} 字节"
