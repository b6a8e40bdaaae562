"""Import batches: templates, validation, preview, apply, undo, the append-only history, one writer, accounts;
and the issue's flow as a new user would try it (Khánh Hòa recognitions template, five 2025 recognitions and three
2025 income values applied, cited by file and row, undone to the same content)."""

import json
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ntm import accounts, cli, imports, loader, progress, store, templates
from ntm.errors import DataError
from ntm.units import resolve_province

KH = "56"
FIVE = [("22723", "Sơn Hiệp"), ("22474", "Cam Phước Đông"), ("22477", "Cam Thịnh Tây"), ("22621", "Khánh Đông"),
        ("22615", "Khánh Bình")]


@pytest.fixture
def office(tmp_path, monkeypatch):
    """A database and an import folder of their own."""
    monkeypatch.setenv("NTM_IMPORTS", str(tmp_path / "imports"))
    db = tmp_path / "ntm.duckdb"
    monkeypatch.setenv("NTM_DB", str(db))
    loader.build(db)
    return db


def _checksum(db) -> str:
    con = store.connect(db)
    try:
        return store.content_checksum(con)
    finally:
        con.close()


def _filled(db, tmp_path, kind: str, rows: list[list], name: str) -> str:
    """The province's template for `kind`, filled from row 2 as a user would."""
    con = store.connect(db)
    path = tmp_path / name
    path.write_bytes(templates.workbook(con, kind, KH))
    con.close()
    wb = load_workbook(path)
    ws = wb["Số liệu"]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    wb.save(path)
    return str(path)


def _cli(capsys, *args) -> tuple[int, dict | None, str]:
    code = cli.main([*args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip().startswith("{") else None), err


def test_template_has_units_lists_and_instructions(office, tmp_path):
    path = tmp_path / "mau.xlsx"
    con = store.connect(office)
    path.write_bytes(templates.workbook(con, "recognitions", KH))
    con.close()
    wb = load_workbook(path)
    assert wb.sheetnames == ["Số liệu", "Danh mục", "Hướng dẫn"]
    header = [c.value for c in wb["Số liệu"][1]]
    assert "Mức đạt chuẩn" in header and "Năm công nhận" in header
    codes = {r[0] for r in wb["Danh mục"].iter_rows(min_row=2, values_only=True)}
    assert {"56", "570", "22435"} <= codes  # province, district, commune: code as text, leading zeros kept
    lists = [dv.formula1 for dv in wb["Số liệu"].data_validations.dataValidation]
    assert any("'Danh mục'!$A$2" in f for f in lists) and len(lists) >= 3
    assert "tỉnh Khánh Hòa (mã 56)" in " ".join(str(c.value) for row in wb["Hướng dẫn"] for c in row)
    funding = load_workbook(_filled(office, tmp_path, "funding", [], "f.xlsx"))["Số liệu"]
    assert "Số tiền (triệu đồng)" in [c.value for c in funding[1]]  # units in the header


def test_an_empty_template_is_refused_not_an_empty_success(office, tmp_path, capsys):
    path = _filled(office, tmp_path, "recognitions", [], "trong.xlsx")
    code, _, err = _cli(capsys, "import", path, "--province", KH, "--kind", "recognitions", "--dry-run")
    assert code == 2 and "chỉ có dòng tiêu đề" in err and "Traceback" not in err


def test_every_problem_at_once_with_file_sheet_row_column(office, tmp_path):
    path = _filled(office, tmp_path, "recognitions", [
        ["99999", "", "NTM", 2025, "", "", "Thực tế"],
        ["22435", "Cam Tân", "NTM siêu", 2025, "", "", "Thực tế"],
        ["22438", "Cam Hòa", "NTM", 2031, "", "", "Kế hoạch"],
        ["22441", "Cam Hải Đông", "NTM", 2025, "1/QĐ", "31/12/2099", "Thực tế"],
        ["22456", "Cam Hiệp Nam", "NTM", 2024, "2/QĐ", "31/02/2024", "Thực tế"],
    ], "loi.xlsx")
    con = store.connect(office)
    with pytest.raises(DataError) as caught:
        imports.check(con, path, "recognitions", KH, "loi.xlsx")
    con.close()
    found = {(p.row, p.column): p for p in caught.value.problems}
    assert "không thuộc tỉnh" in found[(2, "Mã đơn vị (mã GSO)")].vi
    assert "NTM siêu" in found[(3, "Mức đạt chuẩn")].vi and "is not one of" in found[(3, "Mức đạt chuẩn")].en
    assert "2031" in found[(4, "Năm công nhận")].vi
    assert "sau hôm nay" in found[(5, "Thực tế / Kế hoạch")].vi  # expected is not achieved
    assert "31/02/2024" in found[(6, "Ngày quyết định (dd/mm/yyyy)")].vi
    assert all(p.file == "loi.xlsx" and p.sheet == "Số liệu" for p in caught.value.problems)


def test_done_when_flow_apply_cite_undo(office, tmp_path, capsys):
    before = _checksum(office)
    recognitions = _filled(office, tmp_path, "recognitions",
                           [[c, n, "NTM", 2025, f"{10 + i}/QĐ-UBND", f"{10 + i}/06/2025", "Thực tế"]
                            for i, (c, n) in enumerate(FIVE)], "cong_nhan_2025.xlsx")
    code, dry, _ = _cli(capsys, "import", recognitions, "--province", "Khánh Hòa", "--kind", "recognitions",
                        "--dry-run")
    assert code == 0 and dry["status"] == "dry_run" and dry["counts"] == {"new": 5, "changed": 0, "same": 0}
    assert imports.events() == [] and _checksum(office) == before  # a dry run writes nothing

    code, done, _ = _cli(capsys, "import", recognitions, "--province", KH, "--kind", "recognitions",
                         "--by", "Nguyễn Văn A", "--note", "Quyết định công nhận 2025")
    assert code == 0 and done["status"] == "applied"
    income = _filled(office, tmp_path, "indicators", [["22435", "Cam Tân", "10", 2025, "52"],
                                                      ["22438", "Cam Hòa", "10", 2025, "48,5"],
                                                      ["22441", "Cam Hải Đông", "10", 2025, "50"]], "thu_nhap.xlsx")
    code, inc, _ = _cli(capsys, "import", income, "--province", KH, "--kind", "indicators", "--by", "Nguyễn Văn A")
    assert code == 0 and inc["counts"]["new"] == 3

    con = store.connect(office)
    rec = con.execute("SELECT r.*, d.kind AS doc_kind, d.title FROM recognitions r JOIN documents d USING (doc_id) "
                      "WHERE r.year = 2025 AND r.kind = 'actual' ORDER BY line").df()
    assert list(rec["unit_code"]) == [c for c, _ in FIVE] and list(rec["line"]) == [2, 3, 4, 5, 6]
    assert set(rec["doc_kind"]) == {"import"} and set(rec["title"]) == {"cong_nhan_2025.xlsx"}
    values = con.execute("SELECT unit_code, value, line FROM indicator_values WHERE year = 2025 AND "
                         "indicator_code = '10' ORDER BY line").fetchall()
    assert values == [("22435", 52.0, 2), ("22438", 48.5, 3), ("22441", 50.0, 4)]

    view = progress.roadmap_view(con, resolve_province(con, KH), "ntm", None, 2025, "vi")
    actual_2025 = [y for y in view["years"] if y["year"] == 2025 and y["kind"] == "actual"]
    assert [y["cumulative"] for y in actual_2025] == [70]  # 65 by 2023 + 5: the 2024 plan is not counted as done
    cited = json.dumps(view, ensure_ascii=False)
    assert "Tệp nhập" in cited and "cong_nhan_2025.xlsx" in cited and "nhập lúc" in cited
    con.close()

    history = imports.history()
    assert list(history["status"]) == ["applied", "applied"] and set(history["by"]) == {"Nguyễn Văn A"}
    for batch in history["id"]:
        code, _, _ = _cli(capsys, "undo", batch, "--by", "Nguyễn Văn A")
        assert code == 0
    assert _checksum(office) == before  # undo restores the previous state exactly
    assert [e["event"] for e in imports.events()] == ["staged", "applied", "staged", "applied", "reverted",
                                                      "reverted"]  # nothing deleted: the log only grows
    code, listed, _ = _cli(capsys, "imports", "--format", "json")
    assert [r["status"] for r in listed["imports"]] == ["reverted", "reverted"]


def test_preview_names_the_change(office, tmp_path):
    con = store.connect(office)
    path = _filled(office, tmp_path, "indicators", [["22435", "Cam Tân", "10", 2024, "52"],
                                                    ["22726", "Sơn Bình", "11", 2022, "30"],
                                                    ["22438", "Cam Hòa", "10", 2025, "48"],
                                                    ["22726", "Sơn Bình", "9.2", 2025, "70"],
                                                    ["22441", "Cam Hải Đông", "10", 2025, "50"]], "sua.xlsx")
    result = imports.preview(con, imports.check(con, path, "indicators", KH, "sua.xlsx"))
    con.close()
    assert result["counts"] == {"new": 3, "changed": 1, "same": 1}
    assert result["summary"] == "Cam Tân, 10 2024: 40 → 52 triệu đồng/người/năm; 3 dòng mới; 1 dòng trùng"
    assert [i["line"] for i in result["items"] if i["status"] == "new"] == [4, 5, 6]


def test_a_failed_apply_leaves_the_database_byte_identical(office, tmp_path, monkeypatch):
    path = _filled(office, tmp_path, "recognitions", [["22435", "Cam Tân", "NTM kiểu mẫu", 2025, "", "", "Kế hoạch"]],
                   "a.xlsx")
    con = store.connect(office)
    batch = imports.stage(con, path, "recognitions", KH, "a.xlsx", "tester")
    con.close()
    fact = next((imports.root() / batch / "facts" / "recognitions").glob("*.csv"))
    fact.write_text(fact.read_text(encoding="utf-8").replace(",22435,", ",99999,").replace("\n22435,", "\n99999,"),
                    encoding="utf-8")  # damaged after staging: the loader's own checks refuse it
    raw = office.read_bytes()
    with pytest.raises(DataError):
        imports.apply(batch, "tester", office)
    assert office.read_bytes() == raw
    assert [e["event"] for e in imports.events()] == ["staged", "applied", "apply_failed"]
    assert imports.statuses()[batch] == "staged"
    assert loader.ensure(office).problems == []  # the served database is current again


def test_batch_ids_are_checked_before_any_path(office):
    for bad in ("../../etc/passwd", "b20260101t000000-zzzzzzzz", "", "B20261202T122739-DC7C9A03"):
        with pytest.raises(DataError):
            imports.undo(bad, "x")


def test_one_writer_at_a_time(office, tmp_path):
    paths = [_filled(office, tmp_path, "recognitions", [[c, n, "NTM", 2025, "", "", "Kế hoạch"]], f"{i}.xlsx")
             for i, (c, n) in enumerate(FIVE[:3])]
    con = store.connect(office)
    batches = [imports.stage(con, p, "recognitions", KH, "x.xlsx", "t") for p in paths]
    con.close()
    errors = []

    def run(batch):
        try:
            imports.apply(batch, "t", office)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(b,)) for b in batches]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    con = store.connect(office)
    assert con.execute("SELECT count(*) FROM documents WHERE kind = 'import'").fetchone()[0] == 3
    con.close()


def test_accounts_hashes_and_rate_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NTM_ACCOUNTS", str(tmp_path / "acc.json"))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("mot mat khau dai\n"))
    assert cli.main(["user", "add", "thu.khoa", "--role", "editor"]) == 0
    stored = (tmp_path / "acc.json").read_text(encoding="utf-8")
    assert "mot mat khau dai" not in stored and "$argon2id$" in stored
    assert oct((tmp_path / "acc.json").stat().st_mode & 0o777) == "0o600"
    assert accounts.sign_in("thu.khoa", "mot mat khau dai") == {"name": "thu.khoa", "role": "editor"}
    for _ in range(accounts.MAX_FAILURES):
        assert accounts.sign_in("thu.khoa", "sai") is None
    assert accounts.sign_in("thu.khoa", "mot mat khau dai") is None  # locked after too many failures
    assert accounts.sign_in("khong.co", "x") is None
    with pytest.raises(ValueError, match="mật khẩu cần ít nhất"):
        accounts.add("ngan", "123")  # no short password


def test_funding_and_disbursement_amounts_in_million_vnd(office, tmp_path):
    con = store.connect(office)
    bad = _filled(office, tmp_path, "funding", [
        ["56", "Khánh Hòa", 2025, "Ngân sách trung ương", "Đầu tư phát triển", "Kế hoạch", "", "nan"],
        ["56", "Khánh Hòa", 2025, "Ngân sách tỉnh", "Sự nghiệp", "Kế hoạch", "", "-5"],
        ["56", "Khánh Hòa", 2025, "Ngân hàng thế giới", "Sự nghiệp", "Kế hoạch", "", "1.234,5"]], "von.xlsx")
    with pytest.raises(DataError) as caught:
        imports.check(con, bad, "funding", KH, "von.xlsx")
    found = {(p.row, p.column): p.vi for p in caught.value.problems}
    assert "không phải là số" in found[(2, "Số tiền (triệu đồng)")]
    assert "không được âm" in found[(3, "Số tiền (triệu đồng)")]
    assert "Ngân hàng thế giới" in found[(4, "Nguồn vốn")]
    good = _filled(office, tmp_path, "disbursement", [
        ["56", "Khánh Hòa", 2025, "Ngân sách trung ương", "Đầu tư phát triển", "Đã giải ngân", "1.234,5"]], "gn.xlsx")
    rows = imports.check(con, good, "disbursement", KH, "gn.xlsx").rows
    con.close()
    assert rows[["source", "capital_type", "kind", "amount_mvnd", "line"]].to_dict("records") == [
        {"source": "central_budget", "capital_type": "investment", "kind": "disbursed", "amount_mvnd": 1234.5,
         "line": 2}]


def test_discard_keeps_the_history_and_cannot_be_applied(office, tmp_path):
    path = _filled(office, tmp_path, "recognitions", [["22435", "Cam Tân", "NTM kiểu mẫu", 2026, "", "", "Kế hoạch"]],
                   "kh.xlsx")
    con = store.connect(office)
    batch = imports.stage(con, path, "recognitions", KH, "kh.xlsx", "t", note="thử")
    con.close()
    meta = json.loads((imports.root() / batch / "batch.json").read_text(encoding="utf-8"))
    assert meta["file_name"] == "kh.xlsx" and meta["note"] == "thử" and len(meta["sha256"]) == 64
    assert (imports.root() / batch / "original.xlsx").read_bytes() == Path(path).read_bytes()
    imports.discard(batch, "t")
    with pytest.raises(DataError):
        imports.apply(batch, "t", office)
    assert imports.history()["status"].tolist() == ["discarded"]


def test_wide_indicator_template_reads_back(office, tmp_path, capsys):
    path = tmp_path / "ngang.xlsx"
    code, _, err = _cli(capsys, "template", "indicators", "--province", KH, "--wide", "--out", str(path))
    assert code == 0, err
    wb = load_workbook(path)
    ws = wb["Số liệu"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["ma_xa", "xa", "nam"] and "10" in header and "12.1" in header
    for j, v in {1: "22435", 2: "Cam Tân", 3: 2025, header.index("10") + 1: "52",
                 header.index("12.1") + 1: "74,17"}.items():
        ws.cell(row=2, column=j, value=v)
    wb.save(path)
    code, result, err = _cli(capsys, "import", str(path), "--province", KH, "--kind", "indicators", "--dry-run")
    assert code == 0, err
    assert sorted((i["what"], i["after"]) for i in result["items"]) == [("10 2025", 52.0), ("12.1 2025", 74.17)]
