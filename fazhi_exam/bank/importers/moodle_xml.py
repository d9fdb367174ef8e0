"""Moodle XML (the format Moodle's question bank exports by default, docs.moodle.org/en/Moodle_XML_format)
read into ParsedQuestions: multichoice (one or several answers, with fractions), truefalse,
shortanswer, essay, and cloze (multianswer) made only of SHORTANSWER blanks, as a several-blank fill.

Read with defusedxml (no entities, no external references), within the text limits of the other
formats. What our questions cannot hold — per-answer feedback, fractions other than full marks or
none, a question name that is not the question's beginning, markup — is named in the question's
warnings; other question types are problems naming the type. Categories: one category names the
bank; with several, each question is tagged with its category's name."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 (only for the types and TreeBuilder; parsing is defusedxml's)

from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ... import limits
from .base import BLANK, FormatError, ParsedQuestion, ParseProblem, ParseResult, check_lines, too_many_questions
from .gift import BadQuestion, choice_key
from .markup import html_to_text, markdown_to_text, note, noting, own_title, short

META = "fazhi:"  # <!-- fazhi: {json} -->: basis, difficulty, tags, grading points written by our exporter
UNSUPPORTED = {"numerical": "数值题", "match": "配对题", "description": "说明文字（不是试题）", "calculated": "计算题",
               "calculatedsimple": "计算题", "calculatedmulti": "计算题", "ddwtos": "拖放填空题",
               "gapselect": "下拉选择填空题", "ddimageortext": "拖放图片题", "ddmarker": "拖放标记题",
               "randomsamatch": "随机配对题", "ordering": "排序题"}
# {1:SHORTANSWER:=答案~%50%部分答案} — the blanks of a cloze question
CLOZE = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")
CLOZE_SHORT = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}


class _Bad(BadQuestion):
    pass


def _text(node: ET.Element | None, child: str = "text") -> tuple[str, str]:
    """(text, format) of an element holding <text>, as Moodle writes it."""
    if node is None:
        return "", "html"
    found = node.find(child)
    return ((found.text or "") if found is not None else ""), node.get("format", "html")


def _plain(text: str, fmt: str) -> str:
    if fmt in ("html", "moodle_auto_format"):
        text = html_to_text(text) if fmt == "html" or re.search(r"<[a-zA-Z/][^<>]*>", text) else text
    elif fmt == "markdown":
        text = markdown_to_text(text)
    return text.strip()


def _fraction(answer: ET.Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError as exc:
        raise _Bad(f"答案的 fraction“{answer.get('fraction')}”不是数字") from exc


def _answers(q: ET.Element, said: list[str] | None = None) -> list[tuple[str, float]]:
    """(text, fraction) per <answer>; each answer's feedback goes to `said`, or (a short answer's,
    which a blank cannot hold) is named in a warning."""
    out = []
    for answer in q.findall("answer"):
        text = _plain(*_text(answer))
        feedback = _plain(*_text(answer.find("feedback")))
        if said is not None:
            said.append(feedback)
        elif feedback:
            note(f"答案“{short(text)}”的反馈“{short(feedback)}”未导入（填空题的答案不带反馈，只保留整题的解析）")
        out.append((text, _fraction(answer)))
    return out


def _meta(q: ET.Element) -> dict | None:
    for node in q:
        if node.tag is ET.Comment and (node.text or "").strip().startswith(META):
            try:
                data = json.loads(node.text.strip()[len(META):])
            except (ValueError, RecursionError) as exc:
                raise _Bad("“fazhi:”注释不是有效的 JSON") from exc
            if not isinstance(data, dict):
                raise _Bad("“fazhi:”注释应为 JSON 对象")
            return data
    return None


def _blank_stem(text: str) -> str:
    """A short-answer question's text: a written blank (___) becomes ours; none: the blank goes last."""
    if re.search(r"_{3,}", text):
        return re.sub(r"_{3,}", BLANK, text, count=1) if text.count(BLANK) != 1 else text
    return text + BLANK


def _variants(pairs: list[tuple[str, float]]) -> list[str]:
    kept = []
    for text, fraction in pairs:
        if fraction == 100:
            if text:
                kept.append(text)
        elif fraction > 0:
            note(f"答案“{short(text)}”原为 {fraction:g}% 部分得分，未作为可接受的答案导入"
                 "（本系统填空题每空全对才得分）")
        elif text and text != "*":
            note(f"答案“{short(text)}”得 {fraction:g}%（错误答案的提示），未导入")
    if not kept:
        raise _Bad("填空题没有得满分的答案")
    return kept


def _cloze(text: str) -> tuple[str, list[list[str]]]:
    answers: list[list[str]] = []

    def blank(m: re.Match) -> str:
        kind = m.group(2)
        if kind not in CLOZE_SHORT:
            raise _Bad(f"完形填空中的“{kind}”小题不能导入（只支持 SHORTANSWER 填空）")
        pairs = []
        for part in re.split(r"(?<!\\)~", m.group(3)):
            part = part.strip()
            fraction = 0.0
            if part.startswith("="):
                fraction, part = 100.0, part[1:]
            weight = re.match(r"%(-?[\d.]+)%", part)
            if weight:
                fraction, part = float(weight.group(1)), part[weight.end():]
            body = re.split(r"(?<!\\)#", part, maxsplit=1)
            if len(body) > 1 and body[1].strip():
                note(f"答案“{short(body[0])}”的反馈“{short(body[1])}”未导入（填空题的答案不带反馈，只保留整题的解析）")
            pairs.append((re.sub(r"\\(.)", r"\1", body[0]).strip(), fraction))
        answers.append(_variants(pairs))
        return BLANK

    return CLOZE.sub(blank, text), answers


def _question(q: ET.Element, where: str) -> ParsedQuestion:
    kind = q.get("type", "")
    if kind in UNSUPPORTED:
        raise _Bad(f"不支持的题型：{UNSUPPORTED[kind]}（{kind}）")
    raw, fmt = _text(q.find("questiontext"))
    stem = _plain(raw, fmt) if kind != "multianswer" else raw
    explanation = _plain(*_text(q.find("generalfeedback")))
    out = ParsedQuestion(type="single", stem=stem, explanation=explanation, where=where)
    said: list[str] = []
    if kind == "multichoice":
        single = (q.findtext("single") or "true").strip().lower() in ("true", "1")
        pairs = _answers(q, said)
        options = [("=" if single and fraction == 100 else "~", fraction, text) for text, fraction in pairs]
        out.type, out.answer = choice_key(options, ours=_meta(q) is not None)
        out.options = [text for text, _ in pairs]
        out.option_feedback = said if any(said) else []
    elif kind == "truefalse":
        pairs = _answers(q, said)
        right = [text.lower() for text, fraction in pairs if fraction == 100]
        if len(right) != 1 or right[0] not in ("true", "false"):
            raise _Bad("判断题应有一个得满分的答案（true 或 false）")
        out.type, out.answer = "judge", right[0] == "true"
        by_value = {text.lower(): f for (text, _), f in zip(pairs, said, strict=True)}
        feedback = [by_value.get("true", ""), by_value.get("false", "")]
        out.option_feedback = feedback if any(feedback) else []
    elif kind == "shortanswer":
        out.type, out.stem, out.answer = "fill", _blank_stem(stem), [_variants(_answers(q))]
    elif kind == "essay":
        out.type, out.answer = "essay", _plain(*_text(q.find("graderinfo")))
    elif kind == "multianswer":
        text, answers = _cloze(raw)
        if not answers:
            raise _Bad("完形填空题中没有 {1:SHORTANSWER:…} 形式的空")
        out.type, out.stem, out.answer = "fill", _plain(text, fmt), answers
    else:
        raise _Bad(f"不支持的题型：{kind or '（未写明）'}")
    out.title = own_title(_plain(*_text(q.find("name"))), out.stem)
    out.tags = [t for t in (_plain(*_text(tag)) for tag in q.iterfind("tags/tag")) if t]
    _apply_meta(out, _meta(q))
    return out


def _apply_meta(q: ParsedQuestion, meta: dict | None) -> None:
    if meta is None:
        return
    if isinstance(meta.get("basis"), str):
        q.basis = meta["basis"]
    if isinstance(meta.get("difficulty"), int) and not isinstance(meta["difficulty"], bool):
        q.difficulty = meta["difficulty"]
    for key in ("tags", "grading_points"):
        if isinstance(meta.get(key), list) and all(isinstance(x, str) for x in meta[key]):
            setattr(q, key, list(meta[key]))


def _category(path: str) -> str | None:
    segments = [s.strip() for s in path.replace("//", "\0").split("/")]
    name = next((s for s in reversed(segments) if s), "").replace("\0", "/")
    return None if not name or name == "top" or re.fullmatch(r"\$\w+\$", name) else name


def _root(content: bytes, filename: str) -> ET.Element:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("文件不是 UTF-8 编码的 Moodle XML") from None
    check_lines(filename, text, text.split("\n"))
    parser = DefusedXMLParser(target=ET.TreeBuilder(insert_comments=True), forbid_dtd=True)
    try:
        parser.feed(content)
        root = parser.close()
    except ParseError as exc:
        raise FormatError(f"文件不是有效的 XML（{exc}）") from None
    except Exception as exc:  # defusedxml refuses entities, DTDs and external references
        raise FormatError(f"文件含有不允许的 XML 内容（{type(exc).__name__}）") from None
    if root.tag != "quiz":
        raise FormatError("文件不是 Moodle XML 题库（最外层应为 <quiz>）")
    return root


def _lines(content: bytes) -> list[int]:
    """The line of each <question …> tag, in document order (ElementTree does not keep lines)."""
    text = content.decode("utf-8-sig", errors="replace")
    starts = [m.start() for m in re.finditer(r"<question[\s>]", text)]
    return [text.count("\n", 0, s) + 1 for s in starts]


def parse(content: bytes, filename: str) -> ParseResult:
    root = _root(content, filename)
    lines = _lines(content)
    result, number, category = ParseResult(), 0, None
    categories: list[str] = []
    per_category: list[tuple[ParsedQuestion, str | None]] = []
    for index, node in enumerate(root.iter("question")):
        if node.get("type") == "category":
            category = _category(_text(node.find("category"))[0])
            if category:
                categories.append(category)
            continue
        number += 1
        if number > limits.MAX_QUESTIONS:
            raise too_many_questions(filename, number)
        line = lines[index] if index < len(lines) else None
        where = f"第 {number} 题" + (f"（第 {line} 行）" if line else "")
        try:
            with noting() as notes:
                q = _question(node, where)
            q.warnings = notes
        except BadQuestion as exc:
            result.problems.append(ParseProblem(where, str(exc)))
            continue
        result.questions.append(q)
        per_category.append((q, category))
    names = set(categories)
    if len(names) == 1:
        result.bank_name = categories[0]
    elif len(names) > 1:  # several categories: the bank comes from the file name or the form; each keeps its own
        for q, name in per_category:
            if name and name not in q.tags:
                q.tags.append(name)
    return result
