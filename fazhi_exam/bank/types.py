"""The question types: one class each (validate, learner view, response check, grade,
summarise). Adding a type means adding one class here and listing it in REGISTRY."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from .importers.base import BLANK, LETTERS

MAX_STEM, MAX_OPTION, MAX_TEXT = 2000, 500, 5000


NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
UNIT_CHARS = 4  # how much of the text beside a blank may be repeated in the answer (日, 个月, 个工作日)


def _arabic(run: str) -> str:
    """三十 → 30, 一百零五 → 105, 二〇二三 → 2023; the same on both sides of a comparison."""
    if not any(ch in CN_UNITS or ch == "万" for ch in run):
        return "".join(str(CN_DIGITS[ch]) for ch in run)
    total = section = digit = 0
    for ch in run:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (digit or 1) * CN_UNITS[ch]
            digit = 0
        else:  # 万
            total += (section + digit or 1) * 10000
            section = digit = 0
    return str(total + section + digit)


def normalise_fill(text: str) -> str:
    """Full-/half-width, spaces, Chinese or Arabic numerals (三十 / 30) and 天 for 日 after a number
    do not make a fill answer wrong."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()
    text = NUMERAL.sub(lambda m: _arabic(m.group()), text)
    return re.sub(r"(\d)天", r"\1日", text)


def _beside(stem: str, blank: int) -> tuple[str, str]:
    """The words printed right before and right after a blank (up to punctuation), normalised."""
    parts = stem.split(BLANK)
    before = re.split(r"[\W_]", parts[blank])[-1][-UNIT_CHARS:] if blank < len(parts) else ""
    after = re.split(r"[\W_]", parts[blank + 1])[0][:UNIT_CHARS] if blank + 1 < len(parts) else ""
    return normalise_fill(before), normalise_fill(after)


def fill_matches(given: str, variants: Iterable[str], stem: str = "", blank: int = 0) -> bool:
    """A fill answer is right when it is one of the variants, also written with the words printed
    beside the blank repeated ("三十日" in a "____日" blank, "第十条" in "第____条")."""
    accepted = {normalise_fill(v) for v in variants}
    given = normalise_fill(given)
    if given in accepted:
        return True
    if not stem:
        return False
    before, after = _beside(stem, blank)
    heads = [before[-n:] for n in range(len(before), 0, -1)] + [""]
    tails = [after[:n] for n in range(len(after), 0, -1)] + [""]
    for head in heads:
        for tail in tails:
            if (head or tail) and given.startswith(head) and given.endswith(tail) \
                    and len(given) > len(head) + len(tail) and given[len(head):len(given) - len(tail)] in accepted:
                return True
    return False


class QuestionType:
    key: ClassVar[str]
    label: ClassVar[str]
    has_options: ClassVar[bool] = False
    auto_graded: ClassVar[bool] = True

    def validate(self, stem: str, options: Sequence[str], answer: Any) -> list[str]:
        """Problems with this question as Chinese sentences; empty when it is sound."""
        problems = []
        if not stem.strip():
            problems.append("题干不能为空")
        elif len(stem) > MAX_STEM:
            problems.append(f"题干超过 {MAX_STEM} 字")
        return problems + self._validate(stem, list(options), answer)

    def _validate(self, stem: str, options: list[str], answer: Any) -> list[str]:
        return []

    def learner_view(self, stem: str, options: Sequence[str], order: Sequence[int] | None = None) -> dict:
        """What the learner's page gets: never the key."""
        return {"type": self.key, "stem": stem}

    def grade(self, answer: Any, response: Any, points: float, *, policy: str = "all_or_nothing",
              stem: str = "") -> float:
        """Points for a response in the question's own letters. `stem`: the question's text (a fill
        answer may repeat the unit printed right after its blank)."""
        raise NotImplementedError

    def response_problem(self, stem: str, n_options: int, response: Any) -> str | None:
        """Why a learner's response (as shown: keys A, B … in shown order) is malformed; None if fine."""
        return None

    def to_original(self, response: Any, order: Sequence[int]) -> Any:
        """A response in shown keys → the same choice in the question's own option letters."""
        return response

    def summarise(self, answer: Any, responses: Iterable[Any]) -> Counter:
        """How often each choice was made, for item analysis."""
        return Counter(str(r) for r in responses if r is not None)


class ChoiceType(QuestionType):
    has_options = True

    def _validate(self, stem, options, answer):
        problems = []
        if not 2 <= len(options) <= 8:
            problems.append("选项应为 2–8 个")
        if any(not str(o).strip() for o in options):
            problems.append("选项不能为空")
        if any(len(str(o)) > MAX_OPTION for o in options):
            problems.append(f"选项超过 {MAX_OPTION} 字")
        normalised = [normalise_fill(o) for o in options]
        if len(set(normalised)) != len(normalised):
            problems.append("有重复的选项")
        valid = LETTERS[: len(options)]
        if not isinstance(answer, str) or not answer or any(ch not in valid for ch in answer):
            shown = answer if answer not in (None, "") else "（空）"
            problems.append(f"答案“{shown}”不在选项 {valid[:1]}–{valid[-1:]} 中")
        else:
            problems += self._check_count(answer)
        return problems

    def _check_count(self, answer: str) -> list[str]:
        return []

    def learner_view(self, stem, options, order=None):
        order = list(order) if order is not None else list(range(len(options)))
        return {"type": self.key, "stem": stem,
                "options": [{"key": LETTERS[i], "text": options[o]} for i, o in enumerate(order)]}

    def summarise(self, answer, responses):
        counts: Counter = Counter()
        for response in responses:
            for letter in str(response or "") if not isinstance(response, list) else response:
                counts[letter] += 1
        return counts

    def to_original(self, response, order):
        def one(letter):
            return LETTERS[order[LETTERS.index(letter)]] if order else letter

        if isinstance(response, str):
            return one(response)
        if isinstance(response, list):
            return "".join(sorted(one(x) for x in response))
        return response


class Single(ChoiceType):
    key, label = "single", "单选题"

    def _check_count(self, answer):
        return [] if len(answer) == 1 else ["单选题只能有一个正确答案"]

    def grade(self, answer, response, points, *, policy="all_or_nothing", stem=""):
        return points if isinstance(response, str) and response == answer else 0.0

    def response_problem(self, stem, n_options, response):
        if not (isinstance(response, str) and len(response) == 1 and response in LETTERS[:n_options]):
            return "单选题的答案应为一个选项字母"
        return None


class Multiple(ChoiceType):
    key, label = "multiple", "多选题"

    def _check_count(self, answer):
        return [] if len(set(answer)) >= 2 else ["多选题至少应有两个正确答案"]

    def response_problem(self, stem, n_options, response):
        if not (isinstance(response, list) and all(isinstance(x, str) and x in LETTERS[:n_options] for x in response)
                and len(set(response)) == len(response)):
            return "多选题的答案应为选项字母的列表"
        return None

    def grade(self, answer, response, points, *, policy="all_or_nothing", stem=""):
        chosen = set(response) if isinstance(response, list | tuple | str) else set()
        right = set(answer)
        if not chosen or chosen - right:  # nothing chosen, or a wrong option chosen: 0
            return 0.0
        if chosen == right:
            return points
        if policy == "partial":  # 少选得部分分: points × chosen / correct
            return round(points * len(chosen) / len(right), 2)
        if policy == "partial_half":
            return round(points / 2, 2)
        return 0.0


class Judge(QuestionType):
    key, label = "judge", "判断题"

    def _validate(self, stem, options, answer):
        problems = [] if isinstance(answer, bool) else ["判断题答案应为“对”或“错”"]
        if options:
            problems.append("判断题不需要选项")
        return problems

    def grade(self, answer, response, points, *, policy="all_or_nothing", stem=""):
        return points if isinstance(response, bool) and response is answer else 0.0

    def response_problem(self, stem, n_options, response):
        return None if isinstance(response, bool) else "判断题的答案应为 true 或 false"

    def summarise(self, answer, responses):
        return Counter("对" if r else "错" for r in responses if isinstance(r, bool))


class Fill(QuestionType):
    key, label = "fill", "填空题"

    def _validate(self, stem, options, answer):
        blanks = stem.count(BLANK)
        if blanks == 0:
            return ["填空题的题干中没有空（用 ____ 表示）"]
        if not isinstance(answer, list) or not all(
                isinstance(v, list) and v and all(isinstance(x, str) and x.strip() for x in v) for v in answer):
            return ["填空题答案应为每个空一组可接受的写法"]
        if len(answer) != blanks:
            return [f"题干有 {blanks} 个空，但给了 {len(answer)} 个答案"]
        return []

    def learner_view(self, stem, options, order=None):
        return {"type": self.key, "stem": stem, "blanks": stem.count(BLANK)}

    def response_problem(self, stem, n_options, response):
        if not (isinstance(response, list) and len(response) == stem.count(BLANK)
                and all(isinstance(x, str) and len(x) <= 200 for x in response)):
            return f"填空题的答案应为 {stem.count(BLANK)} 个字符串的列表（每空不超过 200 字）"
        return None

    def grade(self, answer, response, points, *, policy="all_or_nothing", stem=""):
        if not isinstance(response, list) or len(response) != len(answer):
            return 0.0
        right = sum(1 for blank, (given, variants) in enumerate(zip(response, answer, strict=True))
                    if fill_matches(given, variants, stem, blank))
        return points if right == len(answer) else round(points * right / len(answer), 2)


class Essay(QuestionType):
    key, label = "essay", "简答题"
    auto_graded = False

    def _validate(self, stem, options, answer):  # a model answer is optional (Moodle essays have none)
        if answer is not None and not isinstance(answer, str):
            return ["简答题的参考答案应为文字"]
        if answer and len(answer) > MAX_TEXT:
            return [f"参考答案超过 {MAX_TEXT} 字"]
        return []

    def grade(self, answer, response, points, *, policy="all_or_nothing", stem=""):
        raise ValueError("简答题由培训管理员评分")

    def response_problem(self, stem, n_options, response):
        if not isinstance(response, str) or len(response) > MAX_TEXT:
            return f"简答题的答案应为不超过 {MAX_TEXT} 字的文字"
        return None

    def summarise(self, answer, responses):
        return Counter("已作答" if str(r or "").strip() else "未作答" for r in responses)


REGISTRY: dict[str, QuestionType] = {t.key: t for t in (Single(), Multiple(), Judge(), Fill(), Essay())}
TYPE_LABELS = {key: t.label for key, t in REGISTRY.items()}


def get_type(key: str) -> QuestionType:
    return REGISTRY[key]
