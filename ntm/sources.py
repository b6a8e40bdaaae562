"""Citations: turning (document, section, lines) into the source line shown under a table or chart."""

KIND = {"bao_cao": ("Báo cáo", "Report"), "ke_hoach": ("Kế hoạch", "Plan"), "import": ("Tệp nhập", "Imported file"),
        "minh_hoa": ("Dữ liệu minh họa", "Illustrative data")}


def line_span(lines) -> str:
    lines = sorted({int(x) for x in lines if x is not None})
    if not lines:
        return ""
    return str(lines[0]) if lines[0] == lines[-1] else f"{lines[0]}-{lines[-1]}"


def citation(doc: dict, section: str | None, lines, lang: str = "vi") -> str:
    """"Nguồn: Báo cáo số /BC-VPĐP, Văn phòng Điều phối NTM tỉnh Ninh Thuận, tháng 01/2024, Mục III.2
    (tệp 000_….txt, dòng 137-146)"; an imported file: "Nguồn: Tệp nhập số b…, <who>, nhập lúc 13:05 02/12/2026
    (tệp ket_qua.xlsx, dòng 4)" — the row of the uploaded sheet."""
    vi = lang == "vi"
    kind = KIND.get(doc["kind"], (doc["kind"], doc["kind"]))[0 if vi else 1]
    number = doc.get("number") or ""
    head = f"{kind} {('số ' if vi else 'no. ') + number if number else ''}".strip()
    parts = [head, doc["issuer"], doc.get("date_text") or doc.get("date") or ""]
    if section:
        parts.append(section)
    span = line_span(lines)
    file = doc["title"] if doc["kind"] == "import" else doc["file"].split("/")[-1]  # an upload: its own name
    where = f"{'tệp' if vi else 'file'} {file}" + (f", {'dòng' if vi else 'lines'} {span}" if span else "")
    return f"{'Nguồn' if vi else 'Source'}: " + ", ".join(p for p in parts if p) + f" ({where})"
