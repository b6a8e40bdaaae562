"""Data-quality checks: the documents' own contradictions are found, and consistent data gives none."""

import shutil

import pytest

from ntm import loader, quality, store
from ntm.paths import DATA_DIR


@pytest.fixture(scope="module")
def found(con):
    return quality.findings(con)


def _one(found, check, unit, **expected):
    hits = [f for f in found if f["check"] == check and f["unit_name"] == unit
            and all(f[k] == v for k, v in expected.items())]
    assert len(hits) == 1, [f["message_en"] for f in found if f["check"] == check]
    return hits[0]


def test_tra_cu_headline_is_the_budget_share_only(found):
    f = _one(found, "funding_total_vs_sources", "Trà Cú", stated=93376)
    assert f["computed"] == 138081.7
    assert {(s["doc_id"], s["line"]) for s in f["sources"]} >= {("001", 125), ("001", 128), ("001", 134)}
    assert "93.376" in f["message_vi"] and "138.081,7" in f["message_vi"]


def test_khanh_hoa_text_64_vs_appendix_65(found):
    f = _one(found, "count_vs_list", "Khánh Hòa", stated=64)
    assert "65 xã đến hết năm 2023" in f["message_vi"]
    (text, appendix) = f["sources"]
    assert (text["doc_id"], text["line"]) == ("003", 9)
    assert appendix["doc_id"] == "003" and appendix["line_end"] >= 650
    assert "dòng 9" in text["citation"]


def test_khanh_hoa_14_of_15_criteria(found):
    f = _one(found, "criteria_out_of_wrong_total", "Sơn Bình")
    assert (f["stated"], f["computed"]) == (15, 19)


def test_shares_that_do_not_follow_from_their_counts(found):
    assert _one(found, "share_vs_fraction", "Quảng Nam", stated=30)["computed"] == 33.33  # "30% (02 huyện/06 huyện)"
    # "64 xã, 40%" and "16 xã, 10%" (lines 51, 65) do not follow from the programme's 193 communes
    assert _one(found, "share_vs_fraction", "Quảng Nam", stated=40)["computed"] == 33.16
    assert _one(found, "share_vs_fraction", "Quảng Nam", stated=10)["computed"] == 8.29
    khanh_hoa = {f["year"] for f in found if f["check"] == "share_vs_fraction" and f["unit_name"] == "Khánh Hòa"}
    assert khanh_hoa == {2014, 2015, 2016, 2017, 2018, 2025}  # appendix 07 % computed on 94, appendix 09 2025


def test_two_targets_for_the_same_thing(found):
    f = _one(found, "conflicting_targets", "Ninh Thuận")
    assert {(s["doc_id"], s["line"]) for s in f["sources"]} == {("002", 44), ("002", 124)}


def test_consistent_documents_give_no_finding(found):
    """Ninh Thuận's 2023 table and its resources add up: nothing is reported for them."""
    assert not [f for f in found if f["province_code"] == "58" and f["year"] == 2023]


def _with_extra_facts(tmp_path, table: str, text: str):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "facts" / table / "zz_test.csv").write_text(text, encoding="utf-8")
    db = tmp_path / "t.duckdb"
    loader.build(db, data)
    return store.connect(db)


FUNDING_HEADER = "unit_code,unit_name_original,year,source,capital_type,kind,item,amount_mvnd,doc_id,line,section," \
                 "original_text,note\n"


@pytest.mark.parametrize("total, flagged", [(100, False), (100.4, False), (120, True)])
def test_funding_total_against_its_parts(tmp_path, total, flagged):
    con = _with_extra_facts(tmp_path, "funding", FUNDING_HEADER + "".join(
        f"588,x,2019,{src},all,mobilized,,{amount},000,1,,,\n"
        for src, amount in (("total", total), ("central_budget", 40), ("community", 60))))
    hits = [f for f in quality.funding_totals(con, "58") if f.year == 2019]
    assert bool(hits) is flagged


TARGET_HEADER = "unit_code,unit_name_original,target_year,set_code,measure,category,value,value_max,denominator," \
                "unit,comparator,doc_id,line,section,original_text,note\n"


@pytest.mark.parametrize("second, flagged", [("3,4", False), ("5,", True)])
def test_conflicting_targets_on_constructed_rows(tmp_path, second, flagged):
    con = _with_extra_facts(tmp_path, "targets", TARGET_HEADER
                            + "588,x,2030,,communes_ntm_new,,2,3,,xã,,000,1,,,\n"
                            + f"588,x,2030,,communes_ntm_new,,{second},,xã,,000,2,,,\n")
    hits = [f for f in quality.conflicting_targets(con, "58") if f.year == 2030]
    assert bool(hits) is flagged
