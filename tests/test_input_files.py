"""Malformed and awkward input files, generated here, through `evaluate --input`: each one a clear message
pointing at the fault (file, row, column, vi/en), or a correct reading — never a traceback, never a silent
misreading (a percent cell read as a fraction, a code read as a float, a second value column dropped)."""

import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from ntm import cli

PROVINCE = "56"


def _evaluate(path, capsys, *extra) -> tuple[int, str, str]:
    code = cli.main(["evaluate", "--input", str(path), "--province", PROVINCE, "--format", "json", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _workbook(rows, path, sheet="Số liệu", formats=None, extra_sheets=(), merge=None):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for coord, number_format in (formats or {}).items():
        ws[coord].number_format = number_format
    if merge:
        ws.merge_cells(merge)
    for title, content in extra_sheets:
        other = wb.create_sheet(title)
        for row in content:
            other.append(row)
    wb.save(path)
    return path


HEADER = ["xa", "chi_tieu", "nam", "gia_tri"]


def _csv(tmp_path, text: str, name="so_lieu.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


REFUSED = {
    "empty": (lambda p: _csv(p, ""), "tệp rỗng"),
    "header_only_csv": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\n"), "chỉ có dòng tiêu đề"),
    "header_only_xlsx": (lambda p: _workbook([HEADER], p / "a.xlsx"), "chỉ có dòng tiêu đề"),
    "latin1": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\nCam Tân,10,2024,40\n", encoding="latin-1"),
               "không phải UTF-8"),
    "text_as_xlsx": (lambda p: _csv(p, "xa,chi_tieu\nCam Tân,10\n", name="a.xlsx"), "không phải là sổ tính"),
    "binary_as_xlsx": (lambda p: _csv(p, "\x00\x01\x02garbage" * 50, name="a.xlsx"), "không phải là sổ tính"),
    "password_or_xls": (lambda p: _raw(p / "a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "mật khẩu"),
    "binary_csv": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\n\x00\x00,10,2024,1\n"), "ký tự nhị phân"),
    "pdf": (lambda p: _csv(p, "%PDF-1.4", name="a.pdf"), "chỉ nhận tệp .csv hoặc .xlsx"),
    "ragged": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\nCam Tân,10,2024\n"), "dòng có 3 ô"),
    "two_value_columns": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri,value\nCam Tân,10,2024,40,41\n"),
                          "hai cột cùng nghĩa"),
    "long_and_wide": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri,10\nCam Tân,10,2024,40,41\n"), "hai cột giá trị"),
    "formula_without_value": (lambda p: _workbook([HEADER, ["Cam Tân", "10", 2024, "=B2*2"]], p / "a.xlsx"),
                              "chưa có giá trị tính sẵn"),
    "negative_percent": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\nCam Tân,12.1,2024,\"-5%\"\n"), "ngoài khoảng"),
    "percent_over_100": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\nCam Tân,12.1,2024,150\n"), "ngoài khoảng"),
    "conflicting_duplicates": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\nCam Tân,10,2024,40\nCam Tân,10,2024,52\n"),
                               "đã có giá trị khác ở dòng 2"),
    "nan": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\nCam Tân,10,2024,nan\n"), "không phải là số"),
    "inf": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\nCam Tân,10,2024,inf\n"), "không phải là số"),
    "year_outside_period": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\nCam Tân,10,2031,40\n"),
                            "ngoài giai đoạn 2021-2025"),
    "rows_200000": (lambda p: _csv(p, "xa,chi_tieu,nam,gia_tri\n" + "Cam Tân,10,2024,40\n" * 200_000),
                    "hơn 100.000 dòng"),
    "columns_10000": (lambda p: _csv(p, ",".join(f"c{i}" for i in range(10_000)) + "\n" + "1," * 9_999 + "1\n"),
                      "quá 200"),
    "sheet_to_xfd": (lambda p: _xfd(_workbook([HEADER], p / "a.xlsx")),
                     "quá giới hạn"),
    "zip_bomb": (lambda p: _bomb(p / "a.xlsx"), "giải nén lớn hơn"),
    "two_data_sheets": (lambda p: _workbook([HEADER, ["Cam Tân", "10", 2024, 40]], p / "a.xlsx",
                                            extra_sheets=[("Khác", [HEADER, ["Cam Tân", "10", 2024, 41]])]),
                        "2 trang số liệu"),
    "merged_cell": (lambda p: _workbook([HEADER, ["Cam Tân", "10", 2024, 40], ["Cam Tân", "11", 2024, 4]],
                                        p / "a.xlsx", merge="A2:A3"), "ô gộp A2:A3"),
    "code_typed_as_number": (lambda p: _workbook([HEADER, ["Cam Tân", 17.1, 2024, 90]], p / "a.xlsx"),
                             "có thể là 17.10"),
    "unknown_commune": (lambda p: _csv(p, "ma_xa,chi_tieu,nam,gia_tri\n99999,10,2024,40\n"), "không có trong danh mục"),
}


def _raw(path, data: bytes):
    path.write_bytes(data)
    return path


def _xfd(path):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.cell(row=60_000, column=16_384, value=1)
    wb.save(path)
    return path


def _bomb(path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<x>" + b" " * (150 * 2**20) + b"</x>")
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_a_clear_message(db_path, tmp_path, capsys, case):
    make, expected = REFUSED[case]
    path = make(tmp_path)
    code, out, err = _evaluate(path, capsys)
    assert code == 2 and out == ""
    assert expected in err, err[:500]
    assert path.name in err and "Traceback" not in err
    assert " / " in err  # Vietnamese / English
    assert max(len(line) for line in err.splitlines()) < 1_500


def _values(out: str) -> dict:
    communes = json.loads(out)["communes"]
    return {c["code"]: c for c in communes}


ACCEPTED_CSV = {
    "semicolon_bom_decimal_comma": ("\ufeffxa;chi_tieu;nam;gia_tri\r\nCam Tân;12.1;2024;74,17\r\n", "utf-8"),
    "nfd_names": ("xa,chi_tieu,nam,gia_tri\n" + __import__("unicodedata").normalize("NFD", "Cam Tân") + ",12.1,2024,"
                  "\"74,17\"\n", "utf-8"),
    "names_with_spaces": ("xa,chi_tieu,nam,gia_tri\n  Cam   Tân  ,12.1,2024,\"74,17\"\n", "utf-8"),
    "embedded_newline": ("xa,chi_tieu,nam,gia_tri\n\"Cam\nTân\",12.1,2024,\"74,17\"\n", "utf-8"),
    "identical_duplicates": ("xa,chi_tieu,nam,gia_tri\nCam Tân,12.1,2024,\"74,17\"\nCam Tân,12.1,2024,\"74,17\"\n",
                             "utf-8"),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED_CSV))
def test_accepted_and_read_right(db_path, tmp_path, capsys, case):
    text, encoding = ACCEPTED_CSV[case]
    code, out, err = _evaluate(_csv(tmp_path, text, encoding=encoding), capsys, "--year", "2024")
    assert code == 0, err
    assert "22435" in _values(out)


def test_a_blank_header_cell_is_read_as_in_a_csv(db_path, tmp_path, capsys):
    """A header cell holding only spaces (an unnamed column between named ones) is read as the same CSV is, never
    a traceback: the XLSX reader used to hand the blank name on as None (found by the type checker)."""
    rows = [["xa", "chi_tieu", " ", "nam", "gia_tri"], ["Cam Tân", "12.1", None, 2024, 74.17]]
    code, out, err = _evaluate(_workbook(rows, tmp_path / "a.xlsx"), capsys, "--year", "2024")
    assert code == 0 and "Traceback" not in err, err[:500]
    as_csv = _evaluate(_csv(tmp_path, "xa,chi_tieu, ,nam,gia_tri\nCam Tân,12.1,,2024,\"74,17\"\n"), capsys, "--year",
                       "2024")
    assert _values(out)["22435"] == _values(as_csv[1])["22435"]


def test_percent_formatted_cell_is_the_percentage_shown(db_path, tmp_path, capsys):
    from ntm import ingest, store
    from ntm.criteria import SET_NANG_CAO, SET_NTM, Rulebook

    path = _workbook([HEADER, ["Cam Tân", "12.1", 2024, 0.85], ["Cam Tân", "10", 2024, 52]], tmp_path / "pt.xlsx",
                     formats={"D2": "0%"})
    con = store.connect(db_path)
    rules = Rulebook.from_db(con)
    sets = {s: set(rules.of_set("indicators", s)["indicator_code"]) for s in (SET_NTM, SET_NANG_CAO)}
    values, _ = ingest.read_values(path, store.units(con, level="commune"), sets, SET_NTM, province=PROVINCE,
                                   percent=frozenset({"12.1"}))
    con.close()
    assert dict(zip(values["indicator_code"], values["value"], strict=True)) == {"12.1": 85.0, "10": 52.0}


def test_code_formatted_with_two_decimals_is_read_as_shown(db_path, tmp_path, capsys):
    path = _workbook([HEADER, ["Cam Tân", 17.1, 2024, 90]], tmp_path / "ma.xlsx", formats={"B2": "0.00"})
    code, _out, err = _evaluate(path, capsys)
    assert code == 0, err  # 17.10 (two decimals shown), an indicator of criterion 17


def test_an_instruction_sheet_is_skipped(db_path, tmp_path, capsys):
    path = _workbook([HEADER, ["Cam Tân", "12.1", 2024, "74,17"]], tmp_path / "hd.xlsx",
                     extra_sheets=[("Hướng dẫn", [["Điền mỗi dòng một xã, một chỉ tiêu, một năm."]])])
    code, out, err = _evaluate(path, capsys)
    assert code == 0, err and "22435" in _values(out)


# ---- the same files through `import --dry-run` (issue 14): the same message, nothing staged, the database as it was

def _dry_run(path, capsys, kind="indicators") -> tuple[int, str, str]:
    code = cli.main(["import", str(path), "--province", PROVINCE, "--kind", kind, "--dry-run", "--format", "json"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_by_import_dry_run_and_nothing_changes(db_path, tmp_path, capsys, case):
    from ntm import dbfile, imports

    before = dbfile.file_digest(db_path)
    make, expected = REFUSED[case]
    path = make(tmp_path)
    code, out, err = _dry_run(path, capsys)
    assert code == 2 and out == ""
    assert expected in err, err[:500]
    assert path.name in err and "Traceback" not in err and " / " in err
    assert max(len(line) for line in err.splitlines()) < 1_500
    assert dbfile.file_digest(db_path) == before and imports.events() == []


@pytest.mark.parametrize("case", sorted(ACCEPTED_CSV))
def test_accepted_by_import_dry_run(db_path, tmp_path, capsys, case):
    text, encoding = ACCEPTED_CSV[case]
    code, out, err = _dry_run(_csv(tmp_path, text, encoding=encoding), capsys)
    assert code == 0, err
    items = json.loads(out)["items"]
    assert [(i["unit_code"], i["after"]) for i in items] == [("22435", 74.17)]
