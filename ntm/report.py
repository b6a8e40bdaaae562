"""The report staff send: a Word document (python-docx) in the administrative format of Decree 30/2020/NĐ-CP
(A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 13, headings 14), built only from
the domain functions.

It holds the headline figures against the targets, the districts ranked by their gap, the communes-by-criteria-group
table in the reports' own layout, trajectories and the funding mix as images (ntm.exports.image), targets against
actuals with a status, the communes at risk and the data-quality notes. Every table and figure carries a real Word
footnote with its source (document, section, line): python-docx has no footnote API, so the footnotes part is
written here. The agency, number and date of the report are left as dotted blanks for staff to fill in; nothing
else is filled in by guess.
"""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt

from ntm import charts, exports, fmt, period, store
from ntm.criteria import SET_NTM
from ntm.funding import funding
from ntm.glance import Headline, differs_text, headline, planner_rows
from ntm.i18n import t
from ntm.quality import findings
from ntm.summary import GROUP_KEYS, summary
from ntm.unit import Unit

FONT = "Times New Roman"
BODY_PT, HEADING_PT, TABLE_PT = 13, 14, 11
TEXT_WIDTH = Cm(16.5)  # A4 210 mm less 30 mm left and 15 mm right
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


class _Footnotes:
    """Word footnotes: a reference in the text, the source at the foot of the page."""

    def __init__(self):
        self.texts: list[str] = []
        self.numbers = {"table": 0, "figure": 0}

    def next(self, kind: str) -> int:
        """The number of the next table or figure."""
        self.numbers[kind] += 1
        return self.numbers[kind]

    def add(self, paragraph, text: str) -> None:
        self.texts.append(text)
        number = len(self.texts)  # ids 0 and 1 are Word's separators
        paragraph._p.append(parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{number + 1}"/></w:r>'))

    def attach(self, document) -> None:
        notes = "".join(
            f'<w:footnote w:id="{i + 2}"><w:p><w:pPr><w:jc w:val="both"/></w:pPr>'
            f'<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="20"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve"> {escape(text)}</w:t></w:r>'
            f'</w:p></w:footnote>' for i, text in enumerate(self.texts))
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {nsdecls("w")}>'
               '<w:footnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
               '<w:footnote w:type="continuationSeparator" w:id="1"><w:p><w:r><w:continuationSeparator/></w:r>'
               f'</w:p></w:footnote>{notes}</w:footnotes>')
        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, xml.encode("utf-8"), document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)


def _setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    for name in ("Normal", "Heading 1", "Heading 2", "Caption"):
        style = document.styles[name]
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over Times New Roman
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), FONT)
        style.font.size = Pt(HEADING_PT if name.startswith("Heading") else BODY_PT)
        if name.startswith("Heading"):
            style.font.bold = True
            style.font.color.rgb = None
    document.styles["Normal"].paragraph_format.space_after = Pt(6)


def _para(document, text: str = "", bold: bool = False, italic: bool = False, size: int | None = None,
          align=None):
    p = document.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    return p


def _cell(cell, text: str, bold: bool = False, align=None) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(TABLE_PT)
    p.paragraph_format.space_after = Pt(0)
    if align is not None:
        p.alignment = align


def _table(document, header: list[str], rows: list[list[str]], numeric_from: int = 1, bold_last: bool = False,
           widths: list[float] | None = None):
    """A bordered table, numbers right-aligned from column `numeric_from`; `widths` in cm."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for i, row in enumerate(rows):
        cells = table.add_row().cells
        for j, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell(cell, text, bold=bold_last and i == len(rows) - 1,
                  align=WD_ALIGN_PARAGRAPH.RIGHT if j >= numeric_from else None)
    if widths:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
            for cell in column.cells:
                cell.width = Cm(width)
    return table


def _caption(document, notes: _Footnotes, text: str, sources: list[str]) -> None:
    """The title over a table or under a figure, with its source as a footnote."""
    p = _para(document, text, bold=True, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    notes.add(p, " ".join(sources) if sources else "")


def _header(document, province: Unit, lang: str) -> None:
    """The national motto and the blanks staff fill in (agency, number, place and date)."""
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    texts = [[t("report_agency", lang), t("report_motto", lang)],
             [t("report_number", lang), t("report_date", lang)]]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            cell = table.rows[r].cells[c]
            cell.text = ""
            for k, line in enumerate(text.split("\n")):
                p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
                run = p.add_run(line)
                run.bold = r == 0
                run.italic = r == 1 and c == 1
                run.font.size = Pt(BODY_PT)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.paragraph_format.space_after = Pt(0)


def _n(value, decimals: int | None = 0, lang: str = "vi") -> str:
    return fmt.number(value, decimals, lang) if value is not None else "–"


def _with_unit(value, share, unit: str, lang: str) -> str:
    """"7 xã (33,3 %)", "40 %", "–": a figure with its unit, and its share when the documents give one."""
    if value is None:
        return "–"
    text = f"{_n(value, None, lang)} {unit}"
    return text + (f" ({_n(share, None, lang)} %)" if share is not None else "")


def _headline_section(document, notes, glance: Headline, lang: str) -> None:
    ty = glance["target_year"]
    document.add_heading(t("report_h_headline", lang, year=ty), level=1)
    rows, sources = [], []
    for item in glance["levels"]:
        a, tg = item["actual"], item["target"]
        if a is None and tg is None:
            continue
        actual = f"{_n(a['count'], lang=lang)} ({a['year']})" if a else t("report_not_known", lang)
        if a and a["basis"] == "stock":
            actual += " " + t("report_stated", lang)
        target = "–" if tg is None else _n(tg["count"], lang=lang) + (
            f" ({fmt.number(tg['share'], None, lang)} % × {tg['programme']})" if tg["computed"] else "")
        rows.append([t(f"level_{item['level']}", lang), actual, target, _n(item["remaining"], lang=lang),
                     t("report_not_evaluable", lang) if item["status"] == "no_data" else
                     t(f"status_{item['status']}", lang)])
        sources += (a["sources"] if a else []) + (tg["sources"] if tg else [])
    if not rows:
        _para(document, t("report_no_targets", lang, year=ty))
        return
    _caption(document, notes, t("report_t_headline", lang, n=notes.next("table"), year=ty),
             list(dict.fromkeys(sources)))
    _table(document, [t("col_level", lang), t("report_col_actual", lang), t("report_col_target", lang, year=ty),
                      t("report_col_remaining", lang), t("col_status", lang)], rows, widths=[3.5, 3.4, 3.2, 2.8, 3.6])
    for item in glance["levels"]:
        if item["remaining"] is not None and item["actual"] and item["target"]:
            _para(document, t("report_remaining_line", lang, level=t(f"level_{item['level']}", lang),
                              actual=item["actual"]["count"], target=item["target"]["count"],
                              n=item["remaining"], year=ty))
    if glance["districts"]:
        ds = glance["districts"]
        _caption(document, notes, t("report_t_districts", lang, n=notes.next("table"), year=ty),
                 list(dict.fromkeys(d["source"] for d in ds)))
        _table(document, [t("district", lang), t("report_col_actual_plain", lang),
                          t("report_col_target", lang, year=ty), t("report_col_remaining", lang),
                          t("col_status", lang)],
               [[d["name"], _n(d["actual"], lang=lang), _n(d["target"], lang=lang), _n(d["gap"], lang=lang),
                 t(f"status_{d['status']}", lang)]
                for d in ds])


def _groups_section(document, notes, con, province: Unit, as_of: int, lang: str) -> None:
    years = [y for y in store.summary_years(con, province.code, SET_NTM) if y <= as_of]
    document.add_heading(t("report_h_groups", lang), level=1)
    if not years:
        _para(document, t("no_data", lang))
        return
    result = summary(con, province, years[-1], lang=lang)
    entries = [(d["district"], d) for d in result["districts"]]
    if result["total"]:
        entries.append((t("province_total", lang), result["total"]))
    rows = [[str(i + 1) if i < len(result["districts"]) else "", name, _n(e["communes"], lang=lang),
             *[_n(e["groups"][g], lang=lang) for g in GROUP_KEYS], _n(e["total_criteria"], lang=lang),
             _n(e["avg_criteria"], 2, lang)]
            for i, (name, e) in enumerate(entries)]
    _caption(document, notes, t("report_t_groups", lang, n=notes.next("table"), province=province.name,
                                year=years[-1]), [s["citation"] for s in result["sources"]])
    _table(document, [t("report_col_no", lang), t("col_unit", lang), t("communes_total", lang),
                      *[t(f"report_group_{g}", lang) for g in GROUP_KEYS], t("report_col_total_criteria", lang),
                      t("report_col_avg_criteria", lang)], rows, numeric_from=2, bold_last=bool(result["total"]),
           widths=[0.9, 3.1, 1.3, 1.4, 1.4, 1.4, 1.4, 1.4, 1.6, 1.6])
    _para(document, t("report_groups_note", lang), italic=True, size=TABLE_PT)


def _figure(document, notes, fig, filters_text: str, sources: list[str], lang: str) -> None:
    """The chart as its PNG export (title, filters and source drawn in), numbered, its source in a footnote."""
    document.add_picture(io.BytesIO(exports.image(fig, "png", filters_text)), width=TEXT_WIDTH)
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _caption(document, notes, t("report_figure", lang, n=notes.next("figure"), title=fig.layout.title.text), sources)


def _figures_section(document, notes, con, province: Unit, glance: Headline, filters_text: str, lang: str) -> None:
    document.add_heading(t("report_h_figures", lang), level=1)
    drawn = 0
    for item in glance["levels"]:
        view = item["view"]
        if not view["years"] or item["level"] == "kieu_mau":
            continue
        drawn += 1
        sources = [s["citation"] for s in view["sources"]] + [line["source"] for line in view["target_lines"]]
        fig = charts.trajectory(view, province.name, " · ".join(s["citation"] for s in view["sources"]), lang)
        _figure(document, notes, fig, filters_text, list(dict.fromkeys(sources)), lang)
    for group in [g for g in funding(con, province, None, lang)["groups"] if g["by_source"]][:2]:
        drawn += 1
        sources = sorted({b["citation"] for b in group["by_source"]})
        fig = charts.funding_mix(group, " · ".join(sources), lang)
        _figure(document, notes, fig, filters_text, sources, lang)
    if drawn == 0:
        _para(document, t("no_data_here", lang))


def _targets_section(document, notes, glance: Headline, lang: str) -> None:
    result = glance["progress"]
    document.add_heading(t("report_h_targets", lang, year=glance["target_year"]), level=1)
    judged = [r for r in planner_rows(result["targets"]) if r["status"] != "no_data"]  # one row per target
    if judged:
        _caption(document, notes, t("report_t_targets", lang, n=notes.next("table"), year=glance["target_year"],
                                    as_of=result["as_of"]),
                 [*list(dict.fromkeys(s["citation"] for r in judged for s in r["sources"])), result["method"]])
        _table(document, [t("col_unit", lang), t("col_indicator", lang), t("col_target", lang),
                          t("col_actual", lang), t("col_status", lang)],
               [[r["unit"], r["indicator_name"] + (f" ({r['category']})" if r["category"] else ""),
                 _with_unit(r["target"], r["target_share"], r["unit_of_measure"], lang),
                 _with_unit(r["actual"], r["actual_share"], r["unit_of_measure"], lang),
                 t(f"status_{r['status']}", lang)] for r in judged], numeric_from=2, widths=[3.0, 5.6, 2.2, 2.2, 3.5])
        for r in judged:  # a count and a share that disagree: why, under the table
            if r["differs"]:
                _para(document, f"{r['unit']}: {differs_text(r['differs'], r['target'], lang)}")
    unknown = len(result["targets"]) - len(judged)
    if unknown:
        _para(document, t("report_unevaluable", lang, n=unknown))


def _risk_section(document, notes, glance: Headline, lang: str) -> None:
    document.add_heading(t("report_h_risk", lang), level=1)
    risk = [(item, r) for item in glance["levels"] for r in item["view"]["at_risk"]]
    if not risk:
        _para(document, t("no_data_here", lang))
        return
    sources = list(dict.fromkeys(s["citation"] for item, _ in risk for s in item["view"]["sources"]))
    _caption(document, notes, t("report_t_risk", lang, n=notes.next("table")), sources)
    _table(document, [t("col_commune", lang), t("district", lang), t("col_level", lang), t("col_planned", lang),
                      t("col_message", lang)],
           [[r["name"], r["district"], t(f"level_{item['level']}", lang), str(r["planned_year"] or "–"),
             r["reason"][lang]] for item, r in risk], numeric_from=99)


def _quality_section(document, notes, con, province: Unit, lang: str) -> None:
    document.add_heading(t("report_h_quality", lang), level=1)
    found = findings(con, province, lang)
    if not found:
        _para(document, t("report_no_findings", lang))
        return
    _para(document, t("report_quality_intro", lang, n=len(found)))
    for f in found:
        p = document.add_paragraph(style="List Bullet")
        p.add_run(f["message_vi" if lang == "vi" else "message_en"])
        notes.add(p, " · ".join(s["citation"] for s in f["sources"]))


def build(con, province: Unit, as_of: int, target_year: int | None = None, lang: str = "vi") -> bytes:
    """The report for one province (of the 2024 list) as DOCX bytes; the target year is the period's (of `as_of`)
    unless given."""
    target_year = target_year or period.target_year(con, as_of)
    document, notes = Document(), _Footnotes()
    _setup(document)
    _header(document, province, lang)
    _para(document)
    _para(document, t("report_title", lang), bold=True, size=HEADING_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, t("report_subtitle", lang, province=province.name, as_of=as_of), bold=True, size=HEADING_PT,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, t("report_draft_note", lang), italic=True, size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    glance = headline(con, province, as_of, target_year, lang)
    filters_text = t("filters_line", lang, filters=f"{t('province', lang)}: {province.name}; "
                                                     f"{t('as_of_year', lang)}: {as_of}")
    _headline_section(document, notes, glance, lang)
    _groups_section(document, notes, con, province, as_of, lang)
    _figures_section(document, notes, con, province, glance, filters_text, lang)
    _targets_section(document, notes, glance, lang)
    _risk_section(document, notes, glance, lang)
    _quality_section(document, notes, con, province, lang)
    notes.attach(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def converter() -> str | None:
    """LibreOffice (Debian's `libreoffice-writer-nogui`) when installed: it turns the DOCX into PDF offline."""
    return shutil.which("soffice")


def pdf(docx: bytes) -> bytes:
    """The report as PDF, converted by LibreOffice in a throw-away profile (no network, no shared state)."""
    office = converter()
    if office is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "report.docx").write_bytes(docx)
        subprocess.run([office, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", "pdf",
                        "--outdir", str(work), str(work / "report.docx")], check=True, capture_output=True,
                       timeout=180)
        return (work / "report.pdf").read_bytes()
