"""The loader: idempotent, all-or-nothing, every fact with a source, units from the GSO lists."""

import shutil

import pytest

from ntm import loader, store
from ntm.errors import DataError
from ntm.paths import DATA_DIR


def _dump(path):
    con = store.connect(path)
    try:
        out = {}
        for table in (*store.FACT_TABLES, "units", "documents", "measures", "commune_groups", "regions"):
            out[table] = sorted(map(repr, con.execute(f'SELECT * FROM "{table}"').fetchall()))
        return out
    finally:
        con.close()


def test_build_is_idempotent(tmp_path):
    db = tmp_path / "a.duckdb"
    first = loader.build(db)
    before = _dump(db)
    second = loader.build(db)
    assert first == second
    assert _dump(db) == before
    status = loader.ensure(db)
    assert not status.rebuilt and not status.stale


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def test_failed_build_leaves_previous_database_intact(tmp_path, data_copy):
    db = tmp_path / "ntm.duckdb"
    loader.build(db, data_copy)
    before = _dump(db)
    facts = data_copy / "facts" / "reported_aggregates" / "000_ninh_thuan.csv"
    lines = facts.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",000,", ",999,", 1)  # an unknown document
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        loader.build(db, data_copy)
    assert _dump(db) == before
    status = loader.ensure(db, data_copy)  # the data changed; the old database still stands, with the reason
    assert status.stale and status.problems[0].column == "doc_id" and _dump(db) == before
    assert not list(tmp_path.glob(".ntm.duckdb.building-*"))
    problem = err.value.problems[0]
    assert problem.file == "data/facts/reported_aggregates/000_ninh_thuan.csv"
    assert (problem.row, problem.column) == (2, "doc_id")
    assert "dòng 2" in str(problem) and "row 2" in str(problem) and "999" in str(problem)


def test_fact_without_source_is_refused(tmp_path, data_copy):
    facts = data_copy / "facts" / "reported_aggregates" / "000_ninh_thuan.csv"
    header, first, *rest = facts.read_text(encoding="utf-8").splitlines()
    cols = header.split(",")
    cells = next(iter(__import__("csv").reader([first])))
    cells[cols.index("line")] = ""
    facts.write_text("\n".join([header, ",".join(f'"{c}"' for c in cells), *rest]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        loader.build(tmp_path / "x.duckdb", data_copy)
    assert any(p.column == "line" and p.row == 2 for p in err.value.problems)
    assert not (tmp_path / "x.duckdb").exists()


def test_bad_number_names_file_row_and_column(tmp_path, data_copy):
    facts = data_copy / "facts" / "reported_aggregates" / "000_ninh_thuan.csv"
    text = facts.read_text(encoding="utf-8").splitlines()
    text.append(text[1].replace(",2023,", ",hai nghìn,", 1))
    facts.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        loader.build(tmp_path / "x.duckdb", data_copy)
    problem = err.value.problems[0]
    assert (problem.row, problem.column) == (len(text), "year")
    assert "không phải là số" in problem.vi and "is not a number" in problem.en


def test_every_fact_row_has_a_known_source(con):
    assert store.fact_rows_without_source(con) == 0
    assert store.count_rows(con, "reported_aggregates") > 0


def test_units_from_gso_lists(con):
    units = store.units(con)
    assert units["code"].map(type).eq(str).all()
    counts = units.groupby(["province_code", "level"]).size().to_dict()
    assert counts[("58", "district")] == 7 and counts[("58", "commune")] == 65
    assert counts[("56", "commune")] == 139 and counts[("49", "commune")] == 241 and counts[("84", "commune")] == 106
    dien_phuoc = units.set_index("code").loc["22675"]
    assert (dien_phuoc["name"], dien_phuoc["parent_name"], dien_phuoc["region_code"]) == (
        "Diên Phước", "Diên Khánh", "DHNTB")


def test_programme_membership_only_where_a_document_settles_it(con):
    xa = store.units(con, level="commune")
    xa = xa[xa["type"] == "Xã"]
    ninh_thuan = xa[xa["province_code"] == "58"]
    assert len(ninh_thuan) == 47 and ninh_thuan["in_programme"].eq(True).all()  # "Tổng số xã 47" = 47 xã
    tra_cu = xa[xa["parent_code"] == "849"]
    assert len(tra_cu) == 15 and tra_cu["in_programme"].eq(True).all()
    truong_sa = xa[xa["parent_code"] == "576"]
    assert truong_sa["in_programme"].eq(False).all()  # 92 = sum of the mainland district counts
    nha_trang = xa[xa["parent_code"] == "568"]  # 7 of 8 xã: which one is outside is not stated
    assert nha_trang["in_programme"].isna().all()
    assert xa[xa["province_code"] == "49"]["in_programme"].isna().all()  # 193 of 197: unknown which
