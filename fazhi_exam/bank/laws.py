"""Laws and policy documents that questions cite, their current version, and the 待复核 flag
raised on every citing question when a new version is recorded."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update

from .. import audit, clock
from ..errors import ValidationError
from ..extensions import db
from ..models import Law, Question, User, question_laws

# The laws in the reference texts the project was written against (name, title, kind, version
# date). Dates are those of the version in force; 村民委员会组织法 was amended on 2025-10-28.
SEED: list[tuple[str, str, str, str | None]] = [
    ("宪法", "中华人民共和国宪法", "law", "2018-03-11"),
    ("民法典", "中华人民共和国民法典", "law", "2020-05-28"),
    ("公职人员政务处分法", "中华人民共和国公职人员政务处分法", "law", "2020-06-20"),
    ("反有组织犯罪法", "中华人民共和国反有组织犯罪法", "law", "2021-12-24"),
    ("国家安全法", "中华人民共和国国家安全法", "law", "2015-07-01"),
    ("国家赔偿法", "中华人民共和国国家赔偿法", "law", "2012-10-26"),
    ("村民委员会组织法", "中华人民共和国村民委员会组织法", "law", "2025-10-28"),
    ("监察法", "中华人民共和国监察法", "law", "2024-12-25"),
    ("立法法", "中华人民共和国立法法", "law", "2023-03-13"),
    ("农村土地承包法", "中华人民共和国农村土地承包法", "law", "2018-12-29"),
    ("反家庭暴力法", "中华人民共和国反家庭暴力法", "law", "2015-12-27"),
    ("反电信网络诈骗法", "中华人民共和国反电信网络诈骗法", "law", "2022-09-02"),
    ("妇女权益保障法", "中华人民共和国妇女权益保障法", "law", "2022-10-30"),
    ("安全生产法", "中华人民共和国安全生产法", "law", "2021-06-10"),
    ("未成年人保护法", "中华人民共和国未成年人保护法", "law", "2024-04-26"),
    ("老年人权益保障法", "中华人民共和国老年人权益保障法", "law", "2018-12-29"),
    ("乡村振兴促进法", "中华人民共和国乡村振兴促进法", "law", "2021-04-29"),
    ("农村集体经济组织法", "中华人民共和国农村集体经济组织法", "law", "2024-06-28"),
    ("地方各级人民代表大会和地方各级人民政府组织法",
     "中华人民共和国地方各级人民代表大会和地方各级人民政府组织法", "law", "2022-03-11"),
    ("保守国家秘密法", "中华人民共和国保守国家秘密法", "law", "2024-02-27"),
    ("劳动合同法", "中华人民共和国劳动合同法", "law", "2012-12-28"),
    ("社会保险法", "中华人民共和国社会保险法", "law", "2018-12-29"),
    ("慈善法", "中华人民共和国慈善法", "law", "2023-12-29"),
    ("农产品质量安全法", "中华人民共和国农产品质量安全法", "law", "2022-09-02"),
    ("个人信息保护法", "中华人民共和国个人信息保护法", "law", "2021-08-20"),
    ("土地管理法", "中华人民共和国土地管理法", "law", "2019-08-26"),
    ("法律援助法", "中华人民共和国法律援助法", "law", "2021-08-20"),
    ("消防法", "中华人民共和国消防法", "law", "2021-04-29"),
    ("环境保护法", "中华人民共和国环境保护法", "law", "2014-04-24"),
    ("禁毒法", "中华人民共和国禁毒法", "law", "2007-12-29"),
    ("网络安全法", "中华人民共和国网络安全法", "law", "2016-11-07"),
    ("行政处罚法", "中华人民共和国行政处罚法", "law", "2021-01-22"),
    ("行政强制法", "中华人民共和国行政强制法", "law", "2011-06-30"),
    ("行政许可法", "中华人民共和国行政许可法", "law", "2019-04-23"),
    ("道路交通安全法", "中华人民共和国道路交通安全法", "law", "2021-04-29"),
    ("食品安全法", "中华人民共和国食品安全法", "law", "2021-04-29"),
    ("人民调解法", "中华人民共和国人民调解法", "law", "2010-08-28"),
    ("行政复议法", "中华人民共和国行政复议法", "law", "2023-09-01"),
    ("行政诉讼法", "中华人民共和国行政诉讼法", "law", "2017-06-27"),
    ("信访工作条例", "信访工作条例", "regulation", "2022-02-25"),
    ("宗教事务条例", "宗教事务条例", "regulation", "2017-08-26"),
    ("政府信息公开条例", "中华人民共和国政府信息公开条例", "regulation", "2019-04-03"),
    ("重大行政决策程序暂行条例", "重大行政决策程序暂行条例", "regulation", "2019-04-20"),
    ("习近平法治思想", "习近平法治思想", "policy", "2020-11-17"),
    ("法治政府建设实施纲要", "法治政府建设实施纲要（2021—2025年）", "policy", "2021-08-11"),
]
KIND_LABELS = {"law": "法律", "regulation": "行政法规", "policy": "政策文件"}
TITLE = re.compile(r"《([^》]+)》")


def short_name(title: str) -> str:
    """《中华人民共和国行政处罚法》 → 行政处罚法; 《法治政府建设实施纲要（2021—2025年）》 → 法治政府建设实施纲要."""
    title = re.sub(r"[《》\s]", "", title)
    title = re.sub(r"[（(].*?[)）]", "", title)
    return title.replace("中华人民共和国", "")


def ensure_laws() -> int:
    """Add the seed laws that are missing; never changes a law a trainer has edited."""
    existing = set(db.session.scalars(select(Law.name)))
    added = 0
    for name, title, kind, day in SEED:
        if name not in existing:
            db.session.add(Law(name=name, title=title, kind=kind, updated_at=clock.now(),
                               version_date=date.fromisoformat(day) if day else None))
            added += 1
    db.session.flush()
    return added


def cited_names(basis: str) -> list[str]:
    """The short names of the laws a basis cites (each 《title》, and policy names written without
    brackets), whether or not they are in the table — for checking files without a database."""
    names = [short_name(title) for title in TITLE.findall(basis or "")]
    names += [name for name, _title, kind, _day in SEED if kind == "policy" and name in (basis or "")]
    return list(dict.fromkeys(names))


def stale_citations(banks: dict[str, dict], versions: dict[str, date]) -> list[str]:
    """Questions citing a law whose version date (`versions`, from SEED) is later than the date the
    question was checked against (its own `checked_against`, else its bank's): the questions to recheck
    after an amendment is entered in SEED. Also every citation of a law not in `versions`."""
    found = []
    for file, data in banks.items():
        bank_checked = data.get("checked_against")
        for number, q in enumerate(data.get("questions") or [], 1):
            checked = q.get("checked_against", bank_checked)
            for name in cited_names(str(q.get("basis") or "")):
                version = versions.get(name)
                if version is None:
                    found.append(f"{file} 第{number}题：《{name}》不在法律表（bank/laws.py SEED）中")
                elif not isinstance(checked, date):
                    found.append(f"{file} 第{number}题：没有 checked_against（核对日期）")
                elif version > checked:
                    found.append(f"{file} 第{number}题：《{name}》的现行版本（{version}）晚于本题核对的日期"
                                 f"（{checked}），请按新文本复核")
    return found


def seed_versions() -> dict[str, date]:
    return {name: date.fromisoformat(day) for name, _title, _kind, day in SEED if day}


def cited_laws(basis: str, laws_by_name: dict[str, Law] | None = None) -> list[Law]:
    """The laws a basis cites: each 《title》, and policy names written without brackets."""
    if laws_by_name is None:
        laws_by_name = {law.name: law for law in db.session.scalars(select(Law))}
    found: dict[str, Law] = {}
    for title in TITLE.findall(basis or ""):
        law = laws_by_name.get(short_name(title))
        if law is not None:
            found[law.name] = law
    for name, law in laws_by_name.items():
        if law.kind == "policy" and name in (basis or "") and name not in found:
            found[name] = law
    return list(found.values())


def save_law(actor: User | None, *, name: str, title: str, kind: str, version_date: date | None,
             law: Law | None = None) -> Law:
    name, title = (name or "").strip(), (title or "").strip() or (name or "").strip()
    if not name:
        raise ValidationError("法律名称不能为空。")
    if kind not in KIND_LABELS:
        raise ValidationError("类型无效。")
    clash = db.session.scalar(select(Law).where(Law.name == name))
    if clash is not None and clash is not law:
        raise ValidationError(f"已有名为“{name}”的法律。")
    if law is None:
        law = Law(name=name, title=title, kind=kind, version_date=version_date, updated_at=clock.now())
        db.session.add(law)
    else:
        law.name, law.title, law.kind = name, title, kind
    db.session.flush()
    audit.record("law_saved", actor=actor, target=name, details={"id": law.id})
    return law


def record_new_version(actor: User | None, law: Law, version_date: date) -> int:
    """A law was amended: every question citing it is flagged 待复核. Returns how many."""
    if law.version_date is not None and version_date <= law.version_date:
        raise ValidationError(f"新版本日期应晚于当前版本（{law.version_date.isoformat()}）。")
    old = law.version_date
    law.version_date, law.updated_at = version_date, clock.now()
    citing = select(question_laws.c.question_id).where(question_laws.c.law_id == law.id)
    flagged = db.session.execute(
        update(Question).where(Question.id.in_(citing), Question.status != "retired")
        .values(needs_review=True).execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    audit.record("law_version_recorded", actor=actor, target=law.name, details={
        "old": old.isoformat() if old else None, "new": version_date.isoformat(), "flagged": flagged})
    return flagged
