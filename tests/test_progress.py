"""Progress statuses, projections, roadmap views and funding on constructed series and on the documents."""

import pytest

from ntm import progress, store
from ntm.funding import funding
from ntm.glance import differs_text, planner_rows
from ntm.units import resolve_province


@pytest.mark.parametrize(("series", "status"), [
    ({2021: 60, 2022: 62, 2023: 80}, "achieved"),
    ({2020: 50, 2023: 68}, "on_track"),          # pace 6/yr, required (80-68)/2 = 6
    ({2020: 50, 2023: 59}, "at_risk"),           # pace 3/yr, required 10.5: below; half of it 5.25: below -> off
    ({2020: 50, 2023: 50}, "off_track"),
    ({2023: 70}, "no_data"),                     # no earlier value: no pace
    ({2022: 70}, "no_data"),                     # nothing at the as-of year
])
def test_status_classes(series, status):
    result = progress.assess(series, 2023, target=80, target_year=2025)
    expected = "off_track" if series == {2020: 50, 2023: 59} else status
    assert result["status"] == expected


def test_at_risk_band():
    result = progress.assess({2020: 50, 2023: 65}, 2023, target=80, target_year=2025)  # pace 5, required 7.5
    assert result["status"] == "at_risk" and result["required_pace"] == 7.5 and result["pace"] == 5


def test_lower_is_better_and_past_deadline():
    assert progress.assess({2021: 9, 2023: 5}, 2023, target=3, target_year=2025, better="lower")["status"] == \
        "on_track"  # down 2/yr, needs 1/yr
    assert progress.assess({2023: 2.9}, 2023, target=3, target_year=2025, better="lower")["status"] == "achieved"
    assert progress.assess({2022: 60, 2023: 70}, 2023, target=80, target_year=2023)["status"] == "off_track"


def test_projection_with_a_known_answer():
    result = progress.assess({2020: 40, 2023: 55}, 2023, target=70, target_year=2025)  # pace 5/yr
    assert result["projection"] == 65 and result["year_reached"] == 2026 and result["gap"] == 15


@pytest.fixture(scope="module")
def khanh_hoa(con):
    return resolve_province(con, "Khánh Hòa")


def test_khanh_hoa_2025_targets_as_of_2023(con, khanh_hoa):
    result = progress.progress(con, khanh_hoa, 2025, 2023)
    rows = {(r["unit"], r["indicator"], r["sources"][0]["line"]): r for r in result["targets"]}
    ntm = rows[("Khánh Hòa", "communes_ntm", 655)]  # 74/92 NTM communes by 2025 (NQ 08, line 655)
    assert (ntm["actual"], ntm["gap"], ntm["status"]) == (65, 9, "at_risk")  # 3/yr since 2020 vs 4,5 needed
    share = rows[("Khánh Hòa", "communes_ntm_share", 25)]
    assert share["actual"] == pytest.approx(70.65) and share["target"] == 80
    assert rows[("Diên Khánh", "communes_ntm", 27)]["status"] == "achieved"  # 16/16
    assert rows[("Khánh Sơn", "communes_ntm", 41)]["status"] == "off_track"  # 0 of 2, no pace
    assert rows[("Khánh Hòa", "communes_kieu_mau_share", 25)]["status"] == "no_data"
    assert all(r["method"] and r["sources"][0]["citation"].startswith("Nguồn") for r in result["targets"])


@pytest.mark.parametrize(("level", "final", "share"),
                         [("ntm", 76, 82.6), ("nang_cao", 39, 42.4), ("kieu_mau", 11, 12.0)])
def test_khanh_hoa_roadmap_reaches_the_appendices(con, khanh_hoa, level, final, share):
    view = progress.roadmap_view(con, khanh_hoa, level)
    planned = [y for y in view["years"] if y["kind"] == "planned"]
    assert (planned[-1]["year"], planned[-1]["cumulative"], planned[-1]["share_pct"]) == (2025, final, share)
    assert view["target_lines"] and all(line["source"] for line in view["target_lines"])


def test_khanh_hoa_projection_and_risk(con, khanh_hoa):
    view = progress.roadmap_view(con, khanh_hoa, "ntm")
    projected = {y["year"]: y["cumulative"] for y in view["years"] if y["kind"] == "projected"}
    assert view["as_of"] == 2023 and projected == {2024: 68.0, 2025: 71.0}  # 65 + 3/yr (2020: 56)
    risk = {r["name"]: r for r in view["at_risk"]}
    assert "Sơn Bình" in risk and "10" in risk["Sơn Bình"]["unmet"]  # planned 2024, income unmet
    assert "Thu nhập" in risk["Sơn Bình"]["reason"]["vi"]


def test_ninh_thuan_slippage(con):
    view = progress.roadmap_view(con, resolve_province(con, "58"), "ntm")
    slipped = {s["name"]: s for s in view["slippage"]}
    assert (slipped["Hòa Sơn"]["planned_year"], slipped["Hòa Sơn"]["moved_to"]) == (2022, 2023)
    assert slipped["Hòa Sơn"]["first_plan"]["doc_id"] == "002" and slipped["Hòa Sơn"]["later"]["doc_id"] == "000"
    assert view["target_lines"][0]["kind"] in ("own", "national")


def test_quang_nam_target(con):
    result = progress.progress(con, resolve_province(con, "Quảng Nam"), 2025, 2023)
    target = next(r for r in result["targets"] if r["indicator"] == "communes_ntm" and r["category"] is None)
    assert (target["target"], target["sources"][0]["line"]) == (154, 35)
    assert target["status"] == "no_data"  # no count or complete list of Quảng Nam's NTM communes by 2023


def test_funding_shares_and_disbursement(con):
    nt = funding(con, resolve_province(con, "58"), 2023)
    credit = next(b for b in nt["by_source"] if b["source"] == "credit")
    assert (credit["share_pct"], credit["total_stated"], credit["total_computed"]) == (79.63, [3706693], 3706693)
    rates = {d["item"]: d["stated_pct"] for d in nt["disbursement"]}
    assert rates == {"all": 75, "investment": 82, "recurrent": 62}
    tc = funding(con, resolve_province(con, "84"), 2023)
    ocop = next(d for d in tc["disbursement"] if d["item"] == "Mô hình thực hiện Chương trình mỗi xã một sản phẩm")
    assert (ocop["allocated"], ocop["disbursed"], ocop["stated_pct"], ocop["computed_pct"], ocop["agree"]) == (
        1000, 890, 89, 89.0, True)
    qn = funding(con, resolve_province(con, "49"))
    plans = {p["year"]: p["amount"] for p in qn["plan_vs_mobilized"]}
    assert plans == {None: 1307608, 2024: 726276, 2025: 581332}


def test_expected_is_not_achieved(con):
    """000 l.178: "dự kiến công nhận thêm 08 thôn đạt chuẩn NTM kiểu mẫu" (the districts are still appraising)
    is expected, not actual: the 2024 target of 7 model villages (l.261) is not achieved by it, and the 8 is
    shown beside the status."""
    result = progress.progress(con, resolve_province(con, "58"), 2024, 2023)
    row = next(r for r in result["targets"] if r["indicator"] == "villages_kieu_mau_new")
    assert row["status"] == "no_data" and row["actual"] is None and row["reading"] == "increment"
    assert [(e["value"], e["kind"], e["line"]) for e in row["expected"]] == [(8, "expected", 178)]


def test_target_judged_on_its_own_year(con):
    """--year 2022 --as-of 2023: a 2022 target is never judged on a 2023 figure (45 villages / 33 % of 000
    l.178 are 2023 and only expected)."""
    result = progress.progress(con, resolve_province(con, "58"), 2022, 2023)
    assert not [r for r in result["targets"] if r["status"] == "achieved"]
    assert all(r["judged_at"] == 2022 for r in result["targets"])


def test_constructed_later_and_expected_figures():
    """A later-dated figure cannot achieve an earlier target: the series is cut at the target year."""
    assert progress.assess({2021: 5, 2022: 6, 2023: 9}, 2022, target=8, target_year=2022)["status"] == "off_track"
    assert progress.assess({2021: 5, 2022: 6, 2023: 9}, 2023, target=8, target_year=2024)["status"] == "achieved"


@pytest.mark.parametrize(("measure", "target", "series", "how"), [
    ("communes_ntm_new", 2, {2022: 30}, "increment"),
    ("communes_ntm_share", 80, {2022: 60}, "share"),
    ("communes_ntm", 40, {2022: 30}, "cumulative"),
    ("communes_ntm", 7, {2022: 30}, "ambiguous"),     # below what was already achieved: an increment?
    ("communes_ntm", 7, {2025: 30}, "cumulative"),    # achieved in the target year itself: a real achievement
])
def test_target_reading(measure, target, series, how):
    assert progress.reading(measure, target, series, 2025, "higher") == how


def test_quang_nam_trajectory_starts_at_its_stock(con):
    """004 l.35: 112 communes already NTM (2016-2020 criteria); the plan's lists add 6, 8 and 14 (2023-2025):
    the line starts at 112, not 6, and its plan ends at 140, on the scale of the 154 target."""
    from ntm import charts

    view = progress.roadmap_view(con, resolve_province(con, "Quảng Nam"), "ntm")
    first, last = view["years"][0], [y for y in view["years"] if y["kind"] == "planned"][-1]
    assert (first["year"], first["cumulative"], first["basis"]) == (2020, 112, "stock")
    assert (last["year"], last["cumulative"]) == (2025, 140)
    assert view["stock"]["line"] == 35 and "2016-2020" in view["stock"]["basis"]
    assert {line["count"] for line in view["target_lines"]} >= {154}
    fig = charts.trajectory(view, "Quảng Nam", "")
    assert fig.data[0].y[0] == 112  # the export carries the corrected line


def test_no_stated_stock_gives_increments_only(con):
    """Ninh Thuận: no document states how many communes are NTM: increments, never a cumulative from zero."""
    from ntm import charts

    view = progress.roadmap_view(con, resolve_province(con, "58"), "ntm")
    assert not view["cumulative_known"] and view["stock"] is None
    assert all(y["cumulative"] is None and y["new"] for y in view["years"])
    fig = charts.trajectory(view, "Ninh Thuận", "")
    assert {trace.type for trace in fig.data} == {"bar"}  # no cumulative line, no target marker


def test_tra_cu_stocks_and_two_figures_for_one_stock(con):
    """Trà Cú: 12 recognised in 2016-2020 (001 l.93), 12 with decisions on 31/12/2022 and 15 by end 2023 (l.119).
    Khánh Hòa: 64 NTM communes in 02/2024 (003 l.9) beside the appendix's 65 by end 2023: both shown."""
    tra_cu = next(d for d in store.unit_list(con, "district", "84") if d.code == "849")
    view = progress.roadmap_view(con, resolve_province(con, "84"), "ntm", district=tra_cu)
    assert view["district"] == {"code": "849", "name": "Trà Cú"}  # named as the province is
    assert [(y["year"], y["cumulative"]) for y in view["years"] if y["kind"] == "actual"] == [
        (2020, 12), (2022, 12), (2023, 15)]
    kh = progress.roadmap_view(con, resolve_province(con, "56"), "ntm")
    assert [(c["value"], c["line"], c["series_value"]) for c in kh["stock_conflicts"]] == [(64, 9, 65)]
    assert next(y for y in kh["years"] if y["year"] == 2014)["stated_share_pct"] == 10.6  # base 94, beside 10,9


def test_khanh_hoa_need_keeps_every_part(con):
    """003 l.209-214: need 1.489.867 = 131.550 recurrent + 1.358.317 investment; 2024: 547.071 + 25.000, 2025:
    225.290 + 25.000 — no group is empty, and the parts' sums stand beside the stated total."""
    groups = {g["year"]: g for g in funding(con, resolve_province(con, "56"))["groups"] if g["kind"] == "need"}
    assert sorted(x["amount"] for x in groups[2024]["total_split"]) == [25000, 547071]
    assert sorted(x["amount"] for x in groups[2025]["total_split"]) == [25000, 225290]
    assert groups[None]["total_split_sum"] == groups[None]["total_stated"][0]["amount"] == 1489867
    assert (groups[2024]["total_split_sum"], groups[2025]["total_split_sum"]) == (572071, 250290)


def test_tra_cu_models_total_rate(con):
    """001 l.53-61: five production models, allocated 3.547 and disbursed 2.333 in all: 65,8 %, beside the items."""
    rates = funding(con, resolve_province(con, "84"), 2023)["disbursement"]
    total = next(d for d in rates if d["item"] == "items_total")
    assert (total["allocated"], total["disbursed"], total["n_items"]) == (3547, 2333, 5)
    assert round(total["computed_pct"], 1) == 65.8


def test_constructed_expected_figure_never_achieves(tmp_path):
    """The same figure, once actual and once "dự kiến công nhận" (expected): only the actual one achieves a target."""
    import shutil

    from ntm import loader, store
    from ntm.paths import DATA_DIR

    results = {}
    for note in ("", "dự kiến công nhận thêm; các huyện đang thẩm định"):
        data = tmp_path / f"data{len(results)}"
        shutil.copytree(DATA_DIR, data)
        (data / "facts" / "reported_aggregates" / "zz_test.csv").write_text(
            "unit_code,unit_name_original,year,set_code,measure,category,value,denominator,unit,doc_id,line,section,"
            f"original_text,note\n58,x,2030,,villages_ntm,,90,,thôn,000,178,Test,,{note}\n", encoding="utf-8")
        (data / "facts" / "targets" / "zz_test.csv").write_text(
            "unit_code,unit_name_original,target_year,set_code,measure,category,value,value_max,denominator,unit,"
            "comparator,doc_id,line,section,original_text,note\n58,x,2030,,villages_ntm,,85,,,thôn,>=,000,261,Test,,\n",
            encoding="utf-8")
        db = tmp_path / f"t{len(results)}.duckdb"
        loader.build(db, data)
        con = store.connect(db)
        row = next(r for r in progress.progress(con, resolve_province(con, "58"), 2030, 2030)["targets"]
                   if r["indicator"] == "villages_ntm")
        results[bool(note)] = (row["status"], sorted((e["value"], e["kind"]) for e in row["expected"]))
    # (84 is the seed's own expected figure, 000 l.178)
    assert results == {False: ("achieved", [(84, "expected")]),
                       True: ("no_data", [(84, "expected"), (90, "expected")])}


def test_an_undated_list_dated_by_its_stock(con):
    """Quảng Nam's one model commune (Đại Hiệp, undated) is the stated stock of 2016-2020 (004 l.65): the line
    starts there, then adds the plans."""
    view = progress.roadmap_view(con, resolve_province(con, "49"), "kieu_mau")
    assert [(y["year"], y["kind"], y["cumulative"]) for y in view["years"][:2]] == [(2020, "actual", 1),
                                                                                   (2023, "planned", 2)]


def test_planner_rows_one_row_per_target_and_unit(con, khanh_hoa):
    """A count and a share that say the same (Khánh Hòa 2025: 37 xã = 40 % of 92, 003 l.655 and l.25) are one row
    with both sources; Cam Lâm's 07/12 (l.29) and 33,3 % = 4/12 (l.567) are one row that keeps the count's status
    and says why; Quảng Nam's 64 xã and "40 %" (no base stated; 40 % of 193 = 78) likewise."""
    rows = planner_rows(progress.progress(con, khanh_hoa, 2025, 2023)["targets"])
    level = {(r["unit"], r["indicator"]): r for r in rows}
    assert not [r for r in rows if r["indicator"].startswith("communes_") and r["indicator"].endswith("_share")
                and (r["unit"], r["indicator"].removesuffix("_share")) in level]  # no level's share row left alone
    province = level[("Khánh Hòa", "communes_nang_cao")]
    assert (province["target"], province["target_share"], province["actual"], province["actual_share"]) == \
        (37, 40, 19, 20.65) and province["differs"] is None
    assert [f"{s['doc_id']}:{s['line']}" for s in province["sources"]] == ["003:655", "003:25"]
    cam_lam = level[("Cam Lâm", "communes_nang_cao")]
    assert (cam_lam["status"], cam_lam["target"], cam_lam["target_share"]) == ("off_track", 7, 33.3)
    assert differs_text(cam_lam["differs"], cam_lam["target"], "vi") == \
        "Tỷ lệ 33,3 % (003:567) = 4/12 xã, khác 7 xã (003:29): tiến độ theo số xã; theo tỷ lệ: Có nguy cơ"
    order = [r["status"] for r in rows]
    assert order.index("off_track") < order.index("at_risk") < order.index("on_track") < order.index("achieved")
    quang_nam = planner_rows(progress.progress(con, resolve_province(con, "49"), 2025, 2023)["targets"])
    nang_cao = next(r for r in quang_nam if r["indicator"] == "communes_nang_cao" and r["category"] is None)
    assert "= 78/193 xã, khác 64 xã" in differs_text(nang_cao["differs"], nang_cao["target"], "vi")
