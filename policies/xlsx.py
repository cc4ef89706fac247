"""A small Office Open XML (.xlsx) writer for the compliance report, standard library only
(openpyxl is not among the platform's dependencies): inline strings, a bold header row."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

Cell = str | int | float | None

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFD = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_SML}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="2"><xf fontId="0" xfId="0"/><xf fontId="1" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_OFD}.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    return (
        f'{_XML}<Types xmlns="{_PKG}/content-types">'
        f'<Default Extension="rels" ContentType="{_RELS_TYPE}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_OFD}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_OFD}.styles+xml"/>{sheets}</Types>'
    )


def _relationships(items: list[tuple[str, str]]) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_DOC}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(items, start=1)
    )
    return f'{_XML}<Relationships xmlns="{_PKG}/relationships">{rels}</Relationships>'


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: Cell, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = escape(str(value)).replace("\n", "&#10;")
        return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


def _sheet(rows: Sequence[Sequence[Cell]]) -> str:
    lines = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", v, 1 if r == 1 else 0) for c, v in enumerate(row))
        lines.append(f'<row r="{r}">{cells}</row>')
    return f'{_XML}<worksheet xmlns="{_SML}"><sheetData>{"".join(lines)}</sheetData></worksheet>'


def workbook(sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]]) -> bytes:
    """Bytes of an .xlsx file with one worksheet per (name, rows); row 1 is the bold header."""
    entries = "".join(
        f'<sheet name="{escape(name[:31])}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    parts = [("worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(sheets) + 1)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _content_types(len(sheets)))
        z.writestr("_rels/.rels", _relationships([("officeDocument", "xl/workbook.xml")]))
        z.writestr("xl/styles.xml", _STYLES)
        book = f'<workbook xmlns="{_SML}" xmlns:r="{_DOC}"><sheets>{entries}</sheets></workbook>'
        z.writestr("xl/workbook.xml", _XML + book)
        z.writestr("xl/_rels/workbook.xml.rels", _relationships([*parts, ("styles", "styles.xml")]))
        for i, (_, rows) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(rows))
    return buffer.getvalue()


def report_workbook(report: dict[str, Any]) -> bytes:
    summary: list[list[Cell]] = [
        ["Hệ thống", "Tên", "Khung pháp lý", "Cấp độ phê duyệt", "Cấp độ theo tiêu chí", "Lớp 1",
         "Lớp 2", "Lớp 3", "Lớp 4", "Đạt", "Không đạt", "Chưa xác định", "Không áp dụng"],
    ]  # fmt: skip
    details: list[list[Cell]] = [
        ["Hệ thống", "Mã yêu cầu", "Nhóm", "Yêu cầu", "Kết quả", "Mức độ", "Nội dung", "Căn cứ"]
    ]
    for s in report["systems"]:
        layers = [s["layers"].get(n, {}).get("status_vi") for n in "1234"]
        c = s["counts"]
        summary.append([s["id"], s["name"], s["profile_name_vi"], s["approved_level"],
                        s["criteria_level"], *layers, c["pass"], c["fail"], c["unknown"],
                        c["not_applicable"]])  # fmt: skip
        for r in s["results"]:
            details.append([s["id"], r["id"], r["group_vi"], r["title_vi"], r["status_vi"],
                            r["severity_vi"], r["message_vi"], r["source"]])  # fmt: skip
    return workbook([("Tổng hợp", summary), ("Chi tiết", details)])
