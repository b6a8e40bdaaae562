"""Every label the dashboard shows, in Vietnamese (default) and English, in one place."""

LANGS = ("vi", "en")

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("Theo dõi Chương trình MTQG xây dựng nông thôn mới", "New Rural Development (NTM) dashboard"),
    "province": ("Tỉnh", "Province"),
    "year": ("Năm", "Year"),
    "language": ("Ngôn ngữ", "Language"),
    "page_criteria_by_district": ("Tiêu chí theo huyện", "Criteria by district"),
    "criteria_by_district_title": ("Kết quả thực hiện Bộ tiêu chí xã NTM theo huyện",
                                   "Commune NTM criteria results by district"),
    "no_data": ("Chưa có số liệu về nhóm tiêu chí của các xã cho tỉnh và năm này.",
                "No data on communes by criteria group for this province and year."),
    "years_with_data": ("Năm có số liệu", "Years with data"),
    "row_group": ("Nhóm xã", "Commune group"),
    "province_total": ("Toàn tỉnh", "Whole province"),
    "communes_total": ("Tổng số xã", "Number of communes"),
    "criteria_total": ("Tổng số tiêu chí", "Total criteria met"),
    "criteria_avg": ("Tiêu chí bình quân/xã", "Average criteria per commune"),
    "group_1": ("Nhóm 1 - đạt chuẩn NTM: 19 tiêu chí", "Group 1 - meets NTM: 19 criteria"),
    "group_2": ("Nhóm 2 - cơ bản đạt chuẩn: 15-18 tiêu chí", "Group 2 - nearly meets: 15-18 criteria"),
    "group_3": ("Nhóm 3 - xã khá: 10-14 tiêu chí", "Group 3 - fair: 10-14 criteria"),
    "group_4": ("Nhóm 4 - xã trung bình: 5-9 tiêu chí", "Group 4 - average: 5-9 criteria"),
    "group_5": ("Nhóm 5 - xã khó khăn: dưới 5 tiêu chí", "Group 5 - difficult: under 5 criteria"),
    "chart_avg_title": ("Tiêu chí bình quân/xã theo huyện, {province} năm {year}",
                        "Average criteria met per commune by district, {province} {year}"),
    "axis_avg": ("Tiêu chí bình quân/xã", "Average criteria per commune"),
    "province_avg_line": ("Bình quân toàn tỉnh: {value}", "Province average: {value}"),
    "basis_reported": ("Số liệu theo báo cáo của địa phương (không tính lại từ số liệu từng xã).",
                       "Figures as reported by the province (not recomputed from commune data)."),
    "basis_computed": ("Tính từ kết quả từng xã.", "Computed from commune-level results."),
    "basis_partial": ("Cột ghi (n/N xã) chỉ tính từ n xã có số liệu trong văn bản, chưa phải toàn huyện; "
                      "không so sánh được với số toàn tỉnh.",
                      "A column marked (n/N communes) is computed from the n communes the documents give results "
                      "for, not the whole district; it cannot be compared with the province figure."),
    "communes_unit": ("xã", "communes"),
    "check_failed": ("Số liệu trong văn bản không khớp nhau: {details}",
                     "The document's figures do not agree: {details}"),
    "differences": ("Số liệu báo cáo khác số tính từ từng xã: {details}",
                    "Reported figures differ from those computed from communes: {details}"),
    "unit_unknown": ("không rõ", "unknown"),
    "boundary_attribution": (
        "Ranh giới hành chính: © những người đóng góp daohoangson/dvhcvn (GPL-3.0), từ Hệ thống bản đồ hành "
        "chính (gis.chinhphu.vn) và Danh mục đơn vị hành chính của Tổng cục Thống kê; đã giản lược và mã hóa "
        "lại cho dự án này.",
        "Administrative boundaries: © contributors of daohoangson/dvhcvn (GPL-3.0), derived from the Government "
        "of Viet Nam administrative map system (gis.chinhphu.vn) and the GSO list of administrative units "
        "(Tổng cục Thống kê). Simplified and re-coded for this project."),
}


def t(key: str, lang: str = "vi", **kwargs) -> str:
    text = LABELS[key][0 if lang == "vi" else 1]
    return text.format(**kwargs) if kwargs else text
