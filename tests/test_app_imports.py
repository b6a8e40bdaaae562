"""The page "Nhập số liệu" in AppTest: a viewer sees the templates and the history but cannot import or undo; an
editor signs in (a wrong password is refused), sees the upload, and undoes an applied batch from the history."""

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from ntm import accounts, imports, loader, store, templates

PASSWORD = "mat khau bien tap"


@pytest.fixture
def office(tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_IMPORTS", str(tmp_path / "imports"))
    monkeypatch.setenv("NTM_ACCOUNTS", str(tmp_path / "accounts.json"))
    db = tmp_path / "ntm.duckdb"
    monkeypatch.setenv("NTM_DB", str(db))
    loader.build(db)
    accounts.add("bien.tap", PASSWORD, "editor")
    accounts.add("xem", PASSWORD, "viewer")
    return db


def _page(lang: str = "vi") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["province"] = "56"
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("views/imports.py").run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.key.startswith("FormSubmitter:sign_in")).click()
    return at.run()


def _staged_and_applied(db, tmp_path) -> str:
    con = store.connect(db)
    path = tmp_path / "cn.xlsx"
    path.write_bytes(templates.workbook(con, "recognitions", "56"))
    wb = load_workbook(path)
    for j, v in enumerate(["22723", "Sơn Hiệp", "NTM", 2025, "1/QĐ", "10/06/2025", "Thực tế"], start=1):
        wb["Số liệu"].cell(row=2, column=j, value=v)
    wb.save(path)
    batch = imports.stage(con, path, "recognitions", "56", "cn.xlsx", "bien.tap")
    con.close()
    imports.apply(batch, "bien.tap", db)
    return batch


def test_a_viewer_cannot_import(office, tmp_path):
    batch = _staged_and_applied(office, tmp_path)
    at = _page()
    assert at.title[0].value == "Nhập số liệu của địa phương"
    assert not at.get("file_uploader")
    assert any("Chỉ người biên tập" in i.value for i in at.info)
    history = at.dataframe[0].value
    assert batch in set(history["Lô"]) and set(history["Trạng thái"]) == {"đã áp dụng"}
    assert not [b for b in at.button if b.key == "undo"]
    at = _sign_in(at, "xem", PASSWORD)  # signed in, but a viewer
    assert not at.get("file_uploader") and not [b for b in at.button if b.key == "undo"]


def test_an_editor_signs_in_uploads_and_undoes(office, tmp_path):
    batch = _staged_and_applied(office, tmp_path)
    at = _page()
    at = _sign_in(at, "bien.tap", "sai mat khau")
    assert any("Sai tài khoản" in e.value for e in at.error) and not at.get("file_uploader")
    at = _sign_in(at, "bien.tap", PASSWORD)
    assert not at.exception, at.exception
    assert at.get("file_uploader")
    at.button(key="undo").click().run()
    assert not at.exception, at.exception
    assert imports.statuses()[batch] == "reverted"
    assert [e["by"] for e in imports.events()][-1] == "bien.tap"  # the batch records the signed-in user
    assert any(batch in s.value for s in at.success)


def test_english_view_has_no_vietnamese_label(office):
    at = _page("en")
    assert at.title[0].value == "The office's own data"
    assert at.selectbox(key="import_kind").options[0] == "Recognitions"
    assert any("Only a signed-in editor" in i.value for i in at.info)
