"""The compliance report as PDF with reportlab and the DejaVu fonts (full Vietnamese glyphs).
reportlab is optional: without it the command says so instead of failing obscurely."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from soc.errors import SocError

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"DejaVuSans": "DejaVuSans.ttf", "DejaVuSans-Bold": "DejaVuSans-Bold.ttf"}


# Layer statuses as an official Vietnamese report writes them (not the engine's English keys).
LAYER_STATUS_VI = {
    "pass": "Đạt",
    "fail": "Không đạt",
    "not_applicable": "Không áp dụng",
    "unknown": "Chưa xác định",
}


def _register_fonts(pdfmetrics: Any, ttfont: Any) -> None:
    for name, file in FONTS.items():
        path = FONT_DIR / file
        if not path.is_file():
            raise SocError(f"font not found: {path}", hint="apt-get install fonts-dejavu")
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(ttfont(name, str(path)))


def report_pdf(report: dict[str, Any]) -> bytes:  # pragma: no cover - needs reportlab
    try:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    except ImportError as e:
        raise SocError(
            "PDF reports need the reportlab package",
            hint="use --format xlsx or json, or install reportlab",
        ) from e
    _register_fonts(pdfmetrics, TTFont)
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=9, leading=11)
    title = ParagraphStyle(
        "title", fontName="DejaVuSans-Bold", fontSize=13, leading=16, alignment=1
    )
    story: list[Any] = [
        Paragraph(report["agency"]["name"].upper(), body),
        Paragraph(report["title_vi"], title),
        Paragraph(f"{report['profile_name_vi']} — {report['generated_on_vi']}", body),
        Spacer(1, 8),
    ]
    header = ["Hệ thống", "Cấp độ (PD/TC)", "Lớp 1–4", "Đạt", "Không đạt", "Chưa XĐ"]
    rows: list[list[Any]] = [[Paragraph(h, body) for h in header]]
    for s in report["systems"]:
        layers = " · ".join(
            f"{n}: {LAYER_STATUS_VI.get(str(s['layers'].get(n, {}).get('status')), '-')}"
            for n in "1234"
        )
        c = s["counts"]
        level = f"{s['approved_level'] or '-'}/{s['criteria_level'] or '-'}"
        rows.append(
            [
                Paragraph(s["name"], body),
                level,
                Paragraph(layers, body),
                c["pass"],
                c["fail"],
                c["unknown"],
            ]
        )
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "DejaVuSans", 9),
                               ("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]))  # fmt: skip
    story += [table, Spacer(1, 10)]
    for s in report["systems"]:
        failures = [r for r in s["results"] if r["status"] == "fail"]
        if failures:
            story.append(Paragraph(f"<b>{s['name']}</b>", body))
            story += [Paragraph(f"• {r['id']}: {r['message_vi']}", body) for r in failures]
            story.append(Spacer(1, 6))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4), title=report["title_vi"]).build(story)
    return buffer.getvalue()
