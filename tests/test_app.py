"""The pages in Streamlit's AppTest: no exception, the seed's figures and their source on screen."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT


@pytest.fixture
def app(db_path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["province"] = "58"
    return at


def _table_text(at) -> str:
    return " ".join(str(v) for t in at.table for v in t.value.to_numpy().ravel()) + " " + " ".join(
        " ".join(map(str, t.value.columns)) + " " + " ".join(map(str, t.value.index)) for t in at.table)


def test_criteria_by_district_ninh_thuan(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Kết quả thực hiện Bộ tiêu chí xã NTM theo huyện"
    text = _table_text(app)
    for expected in ("Toàn tỉnh", "Bác Ái", "Phan Rang-Tháp Chàm", "16,47", "774", "13,67", "17,63", "47"):
        assert expected in text
    captions = " ".join(c.value for c in app.caption)
    assert "Nguồn: Báo cáo số /BC-VPĐP" in captions and "Mục III.2" in captions
    assert app.query_params["year"] == ["2023"] or app.query_params["year"] == "2023"


def test_english_switch(app):
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception
    assert app.title[0].value == "Commune NTM criteria results by district"
    text = _table_text(app)
    assert "Whole province" in text and "16.47" in text
    assert "Source: Report" in " ".join(c.value for c in app.caption)


def test_province_without_data_says_so(app):
    app.query_params["province"] = "49"
    app.run()
    assert not app.exception
    assert "Chưa có số liệu" in app.info[0].value


@pytest.mark.parametrize("province", ["56", "58", "49", "84"])
def test_every_province_renders(app, province):
    app.query_params["province"] = province
    app.run()
    assert not app.exception
    assert app.table or app.info  # a table, or the plain statement that there is no data


def test_partial_commune_data_is_labelled(app):
    """Khánh Hòa 2024: appendix 02 gives results for a few communes only; columns say how many."""
    app.query_params["province"] = "56"
    app.run()
    columns = list(app.table[0].value.columns)
    assert "Cam Lâm (2/12 xã)" in columns
    assert any("chưa phải toàn huyện" in w.value for w in app.warning)
