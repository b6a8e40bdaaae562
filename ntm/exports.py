"""Exports for reports: charts as PNG (print resolution) and SVG, tables as XLSX and CSV.

A chart export carries its title, legend, the active filters and the source line, sized for an A4 page.
Charts are rendered by kaleido with Debian's Chromium; one browser, started on the first export, serves every
export of the process (ntm.imaging). XLSX keeps numbers as numbers with a number format (Excel shows them with the
reader's separators, 1.234,5 on a Vietnamese system), a header, the source and a frozen header row. CSV is UTF-8
with a byte-order mark so Excel reads Vietnamese.

No exported text is ever a formula: a CSV cell (header included) starting with = + - @ tab or CR gets a leading
apostrophe, and every XLSX text cell (title, filters, header, values, source) is written as a string, never as
a formula, whatever it starts with.
"""

import copy
import csv
import io
import math

import pandas as pd
import plotly.graph_objects as go
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ntm.charts import is_map, wrap
from ntm.geo import NO_BASEMAP

A4_WIDTH, A4_HEIGHT, PRINT_SCALE = 1123, 794, 3  # A4 landscape at 96 dpi; ×3 ≈ 288 dpi


def report_figure(fig: go.Figure, filters_text: str) -> go.Figure:
    """The figure as it goes into a report: the filters under the title, a visible legend, A4 size."""
    out = copy.deepcopy(fig)
    title = out.layout.title.text or ""
    out.update_layout(title=dict(text=f"{title}<br><sup>{wrap(filters_text, 140)}</sup>"), width=A4_WIDTH,
                      height=A4_HEIGHT if is_map(out) else int(A4_HEIGHT * 0.72), margin=dict(l=20, r=30, t=110, b=170))
    return out


def image(fig: go.Figure, fmt: str, filters_text: str) -> bytes:
    """PNG (at print scale) or SVG bytes of a report figure."""
    if fmt not in ("png", "svg"):
        raise ValueError(fmt)
    report = report_figure(fig, filters_text)
    opts = {"format": fmt, "width": report.layout.width, "height": report.layout.height,
            "scale": PRINT_SCALE if fmt == "png" else 1}
    from ntm import imaging  # kaleido: loaded on the first image export, not with a page that offers one

    return imaging.render(report, opts, NO_BASEMAP)  # a map asks for no basemap


def stop() -> None:
    """End the image exports' browser (a command line run): it then leaves no temporary folder behind."""
    from ntm import imaging

    imaging.stop()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text_cells(ws) -> None:
    """openpyxl writes a string starting with '=' as a formula: every text cell becomes a plain string, and one
    that starts like a formula gets Excel's own hidden apostrophe (quotePrefix), so editing it keeps it text."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True


YEAR_WORDS = ("năm", "year")


def _numbers(series: pd.Series) -> list[float] | None:
    """The column's numbers when every filled cell is a number (not a flag), else None."""
    values = [v for v in series if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    return [float(v) for v in values]


def column_kind(name: str, series: pd.Series, places: int | None) -> tuple[str, int] | None:
    """How a numeric column is written: ('year', 0) plain 2023; ('count', 0) with thousands; ('decimal', n)
    rounded to the places shown. None for a text column."""
    numbers = _numbers(series)
    if numbers is None:
        return None
    integral = all(v.is_integer() for v in numbers)
    if integral and any(w in str(name).lower() for w in YEAR_WORDS) and all(1900 <= v <= 2100 for v in numbers):
        return "year", 0
    if integral and not places:
        return "count", 0
    return "decimal", 2 if places is None else places  # rounded to the places shown; trailing zeros dropped


def _as_written(frame: pd.DataFrame, decimals: dict[str, int]) -> tuple[pd.DataFrame, dict[str, tuple]]:
    """Numbers rounded as the page shows them (no 9,349999…); whole numbers as integers (never 13.0)."""
    out, kinds = frame.copy(), {}
    for column in frame.columns:
        kind = column_kind(column, frame[column], decimals.get(column))
        if kind is None:
            continue
        kinds[column] = kind
        places = kind[1]
        out[column] = pd.Series([None if v is None or (isinstance(v, float) and math.isnan(v))
                                 else (round(float(v)) if places == 0 else _tidy(round(float(v), places)))
                                 for v in frame[column]], index=frame.index, dtype=object)
    return out, kinds


def _tidy(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def table_csv(frame: pd.DataFrame, dialect: str = "vi", decimals: dict[str, int] | None = None) -> bytes:
    """`vi`: as Excel on a Vietnamese Windows reads it (`;` between cells, decimal comma); `machine`: `,` and a
    decimal point. Numbers rounded as shown, whole numbers without ".0"."""
    written, _ = _as_written(frame, decimals or {})

    def cell(v):
        if isinstance(v, float) and dialect == "vi":
            return str(v).replace(".", ",")
        return neutralise(v)

    safe = pd.DataFrame({i: pd.Series([cell(v) for v in written[c]], dtype=object) for i, c in
                         enumerate(written.columns)})  # built cell by cell: pandas would turn 13 back into 13.0
    safe.columns = [neutralise(str(c)) for c in frame.columns]
    # CRLF rows, and any cell holding a CR or LF quoted: a line break inside a cell cannot start a row
    return safe.to_csv(index=False, sep=";" if dialect == "vi" else ",", lineterminator="\r\n",
                       quoting=csv.QUOTE_MINIMAL).encode("utf-8-sig")


FORMATS = {"year": "0", "count": "#,##0"}


def workbook(title: str) -> tuple[Workbook, Worksheet]:
    """A new workbook and its first sheet, named `title`."""
    wb = Workbook()
    ws = wb.active
    if not isinstance(ws, Worksheet):  # a new workbook opens on a worksheet; openpyxl types it loosely
        raise TypeError("openpyxl: a new workbook without a worksheet")
    ws.title = title
    return wb, ws


def table_xlsx(frame: pd.DataFrame, title: str, filters_text: str, source_text: str,
               decimals: dict[str, int] | None = None) -> bytes:
    """One sheet: title, filters, the table (numbers as numbers, each column with its format: years plain, counts
    with thousands, decimals as shown), the source under it, wrapped; header row frozen."""
    written, kinds = _as_written(frame, decimals or {})
    wb, ws = workbook("Số liệu")
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([filters_text])
    ws.append([])
    header_row = 4
    ws.append([str(c) for c in frame.columns])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for record in written.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in record])
    for j, column in enumerate(frame.columns, start=1):
        kind, places = kinds.get(column, (None, 0))
        fmt = FORMATS.get(kind) or ("#,##0" if places == 0 else "#,##0." + "0" * places)
        for row in ws.iter_rows(min_row=header_row + 1, max_row=header_row + len(frame), min_col=j, max_col=j):
            if isinstance(row[0].value, (int, float)):
                row[0].number_format = fmt
        width = max([len(str(column))] + [len(str(v)) for v in written[column].head(200)]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(width, 60)
    ws.append([])
    ws.append([source_text])
    if len(frame.columns) > 1:
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(frame.columns))
    ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[ws.max_row].height = 15 * (1 + len(source_text) // 110)
    ws.freeze_panes = f"A{header_row + 1}"
    _text_cells(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
