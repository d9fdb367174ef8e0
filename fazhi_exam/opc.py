"""Parts of an Office package (.xlsx, .docx): relationships, small parts read whole within the limit,
finished elements dropped while a large part streams."""
from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from . import limits
from .errors import ValidationError

REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def read_part(archive: zipfile.ZipFile, name: str, filename: str) -> bytes:
    """A part that is parsed whole (a workbook, styles, numbering, relationships): small in real files."""
    if archive.getinfo(name).file_size > limits.MAX_PART:
        raise ValidationError(f"文件“{filename}”中的 {name} 超过 {limits.megabytes(limits.MAX_PART)}，已拒绝处理。")
    return archive.read(name)


def parse_part(archive: zipfile.ZipFile, name: str, filename: str):
    # check_zip has refused any DOCTYPE already; entities and the network stay off all the same.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(read_part(archive, name, filename), parser)


def relationships(archive: zipfile.ZipFile, part: str, filename: str) -> dict[str, tuple[str, str]]:
    """id → (relationship type, member name) for a part's relationships ("" is the package itself)."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", f"{name}.rels")
    if path not in archive.NameToInfo:
        return {}
    found = {}
    for rel in parse_part(archive, path, filename).iter(REL):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External":
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id")] = (rel.get("Type") or "", member)
    return found


def of_type(rels: dict[str, tuple[str, str]], kind: str) -> str | None:
    """The first related part of a kind ("officeDocument", "styles", "numbering", …)."""
    return next((member for typ, member in rels.values() if typ.endswith(f"/{kind}")), None)


def drop(element) -> None:
    """Free a finished element and its earlier siblings (the usual iterparse way to stay small)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
