"""The handbook as a document people read: a standalone HTML page, and a PDF (fpdf2)."""

from __future__ import annotations

from html import escape

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..application.handbook import Handbook, Table

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24;
       line-height: 1.5; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
       border-bottom: 1px solid #d0d7de; }
.status { color: #57606a; } table { border-collapse: collapse; margin: 1rem 0; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } @media (max-width: 40rem) { table { font-size: .85rem; } }
"""


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def handbook_html(book: Handbook) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(book.title)} - partner handbook, version {book.version}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(book.title)}: partner handbook</h1>",
        f'<p class="status">Program {escape(book.program_id)}, version {book.version}, {escape(book.status)}, '
        f"effective from {book.effective_from.isoformat()}</p>",
    ]
    for section in book.sections:
        parts.append(f"<h2>{escape(section.title)}</h2>")
        parts.extend(f"<p>{escape(p)}</p>" for p in section.paragraphs)
        parts.extend(_table_html(t) for t in section.tables)
    parts.append("</body></html>")
    return "\n".join(parts)


def _latin1(text: str) -> str:
    """The PDF's core fonts are Latin-1: other characters are replaced, never dropped silently."""
    return text.encode("latin-1", "replace").decode("latin-1")


def handbook_pdf(book: Handbook) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"{book.title} - partner handbook v{book.version}"))
    pdf.set_creator("Partner Incentive Ledger")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, _latin1(f"{book.title}: partner handbook"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        6,
        _latin1(f"Program {book.program_id}, version {book.version}, {book.status}, from {book.effective_from}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for section in book.sections:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 8, _latin1(section.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 10)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5.5, _latin1(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        for table in section.tables:
            with pdf.table(text_align="LEFT", line_height=5.5) as grid:
                for row in (table.header, *table.rows):
                    cells = grid.row()
                    for cell in row:
                        cells.cell(_latin1(cell))
            pdf.ln(2)
    return bytes(pdf.output())
