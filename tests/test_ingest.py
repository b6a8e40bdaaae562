"""Reading a province's own spreadsheet of indicator values: long and wide, CSV and Excel, Vietnamese numbers."""

import pandas as pd
import pytest

from ntm import store
from ntm.criteria import SET_NANG_CAO, SET_NTM, Rulebook
from ntm.errors import DataError
from ntm.fmt import parse_number
from ntm.ingest import read_values


@pytest.mark.parametrize(("text", "value"), [("74,17", 74.17), ("74,17%", 74.17), ("1.018", 1018), ("36.750", 36750),
                                         ("3.706.693", 3706693), ("0,5", 0.5), ("42.56", 42.56), (7, 7.0)])
def test_vietnamese_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["đạt", "12,3,4", "1,2.3"])
def test_not_numbers(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)


@pytest.fixture(scope="module")
def setup(con):
    rules = Rulebook.from_db(con)
    sets = {s: set(rules.of_set("indicators", s)["indicator_code"]) for s in (SET_NTM, SET_NANG_CAO)}
    return store.units(con, level="commune", province_code="56"), sets


def test_long_csv_with_names_and_criterion_results(tmp_path, setup):
    units, sets = setup
    path = tmp_path / "chi_tieu.csv"
    path.write_text("xa,chi_tieu,nam,gia_tri\nCam Tân,10,2024,\"40\"\nCam Tân,11,2024,\"5,56%\"\n"
                    "Điện Phước,12.1,2024,\"74,17\"\nCam Tân,TC1,2024,Chưa đạt\n", encoding="utf-8")
    values, declared = read_values(path, units, sets, SET_NTM, province="56")
    assert values[["unit_code", "indicator_code", "value"]].values.tolist() == [
        ["22435", "10", 40.0], ["22435", "11", 5.56], ["22675", "12.1", 74.17]]
    assert declared[["unit_code", "criterion_no", "status"]].values.tolist() == [["22435", "1", "not_met"]]


def test_wide_excel(tmp_path, setup):
    units, sets = setup
    path = tmp_path / "rong.xlsx"
    pd.DataFrame({"ma_xa": ["22435", "22441"], "10": ["40", 42], "11": ["5,56", "3,23"], "ghi chú": ["", ""]}) \
        .to_excel(path, sheet_name="Năm 2024", index=False)
    values, _ = read_values(path, units, sets, SET_NTM, year=2024)
    assert len(values) == 4 and values["value"].tolist() == [40.0, 5.56, 42.0, 3.23]


def test_errors_name_file_sheet_row_and_column_and_read_nothing(tmp_path, setup):
    units, sets = setup
    path = tmp_path / "loi.xlsx"
    pd.DataFrame({"xa": ["Cam Tân", "Atlantis", "Cam Tân"], "chi_tieu": ["10", "10", "99.9"],
                  "nam": [2024, 2024, 2024], "gia_tri": ["bốn mươi", "40", "1"]}).to_excel(
        path, sheet_name="Số liệu", index=False)
    with pytest.raises(DataError) as err:
        read_values(path, units, sets, SET_NTM, province="56")
    problems = {(p.row, p.column): p for p in err.value.problems}
    assert set(problems) == {(2, "gia_tri"), (3, "xa"), (4, "chi_tieu")}
    assert problems[(2, "gia_tri")].sheet == "Số liệu"
    text = str(problems[(3, "xa")])
    assert "loi.xlsx, trang tính 'Số liệu', dòng 3, cột 'xa'" in text and "sheet 'Số liệu', row 3" in text
    assert "Atlantis" in text


def test_missing_commune_column(tmp_path, setup):
    units, sets = setup
    path = tmp_path / "thieu.csv"
    path.write_text("chi_tieu,nam,gia_tri\n10,2024,40\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_values(path, units, sets, SET_NTM)
    assert "thiếu cột mã xã" in err.value.problems[0].vi
