"""OPML 2.0 feed lists: reading outlines with an xmlUrl, writing the store's feeds."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from daemon.errors import DaemonError


class OpmlError(DaemonError):
    """An OPML file that cannot be read, as `path:line:col: message`."""

    def __init__(self, path: Path, line: int, col: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{col}: {message}")
        self.path = path


@dataclass(frozen=True, slots=True)
class Outline:
    """One feed in an OPML file."""

    url: str
    title: str | None = None


MAX_OPML_BYTES = 10_000_000  # about 50,000 feeds


def read_opml(path: Path) -> list[Outline]:
    """Every outline with an xmlUrl, at any depth, in file order, without repeats."""
    try:
        size = path.stat().st_size
        if size > MAX_OPML_BYTES:
            raise OpmlError(path, 1, 1, f"file is {size:,} bytes; the limit is {MAX_OPML_BYTES:,}")
        root = ET.parse(path).getroot()
    except OSError as e:
        raise OpmlError(path, 0, 0, f"cannot read: {e.strerror or e}") from e
    except ET.ParseError as e:
        line, col = e.position
        raise OpmlError(path, line, col + 1, f"not well-formed XML: {e.msg}") from e
    if root.tag.lower() != "opml":
        raise OpmlError(path, 1, 1, f"not an OPML file (root element <{root.tag}>)")
    found: dict[str, Outline] = {}
    for node in root.iter():
        if node.tag.lower() != "outline":
            continue
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if url and url not in found:
            found[url] = Outline(url, node.get("title") or node.get("text") or None)
    return list(found.values())


def write_opml(feeds: Iterable[Outline], title: str = "wirewatch feeds") -> str:
    """An OPML 2.0 document listing `feeds`."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for f in feeds:
        name = f.title or f.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=f.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
