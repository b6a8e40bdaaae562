"""Citations: turning (document, section, lines) into the source line shown under a table or chart."""

import pandas as pd

from ntm.i18n import LABELS, t


def line_span(lines) -> str:
    lines = sorted({int(x) for x in lines if x is not None})
    if not lines:
        return ""
    return str(lines[0]) if lines[0] == lines[-1] else f"{lines[0]}-{lines[-1]}"


def citation(doc: dict, section: str | None, lines, lang: str = "vi") -> str:
    """"Nguồn: Báo cáo số /BC-VPĐP, Văn phòng Điều phối NTM tỉnh Ninh Thuận, tháng 01/2024, Mục III.2
    (tệp 000_….txt, dòng 137-146)"; an imported file: "Nguồn: Tệp nhập số b…, <who>, nhập lúc 13:05 02/12/2026
    (tệp ket_qua.xlsx, dòng 4)" — the row of the uploaded sheet. The words come from the catalogue; the issuer,
    number, date, section and file are the document's own."""
    kind = t(f"doc_{doc['kind']}", lang) if f"doc_{doc['kind']}" in LABELS else doc["kind"]
    number = doc.get("number") or ""
    head = f"{kind} {t('citation_number', lang, number=number) if number else ''}".strip()
    parts = [head, doc["issuer"], doc.get("date_text") or doc.get("date") or ""]
    if section:
        parts.append(section)
    span = line_span(lines)
    file = doc["title"] if doc["kind"] == "import" else doc["file"].split("/")[-1]  # an upload: its own name
    label = "citation_lines" if "-" in span else "citation_line"  # "lines 139-146", "line 152"
    where = t("citation_file", lang, file=file) + (f", {t(label, lang, lines=span)}" if span else "")
    return t("citation", lang, parts=", ".join(p for p in parts if p), where=where)


def of_rows(documents: pd.DataFrame, rows: pd.DataFrame, lang: str = "vi") -> str:
    """The citation of each document behind `rows` (their doc_id and line), the lines of one document together,
    in the documents' order; "" when no row names a document."""
    cited = rows[rows["doc_id"].notna()]
    by_id = documents.set_index("doc_id")
    return " · ".join(citation(by_id.loc[doc].to_dict(), None, group["line"], lang)
                      for doc, group in cited.groupby("doc_id", sort=True))
