"""Illustrative data ("Dữ liệu minh họa / illustrative"): generated, deterministic, never real.

Used for demos where the documents give no commune-level values, and for the national-scale benchmark.
Everything it returns carries `illustrative = True`; callers label it wherever it shows and never add it to a
real total. For indicators with a known threshold it draws values around the threshold; criteria whose
thresholds are unknown for a commune are settled by an illustrative declared result, so criteria counts spread
like the reported averages (about 14-18 of 19 per commune).
"""

import numpy as np
import pandas as pd

from ntm.criteria import Rulebook

REGIONS = ("TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL")
LABEL = "Dữ liệu minh họa / illustrative"


def national_units(n: int = 8100, seed: int = 2025) -> pd.DataFrame:
    """n synthetic rural communes spread over the seven regions (codes "MH00001"…, never GSO codes)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "unit_code": [f"MH{i:05d}" for i in range(1, n + 1)],
        "province_code": [f"MH{p:02d}" for p in rng.integers(1, 64, n)],
        "region_code": rng.choice(REGIONS, n),
        "especially_difficult": rng.random(n) < 0.12,
    })


def generate(units: pd.DataFrame, rules: Rulebook, set_code: str, years: list[int], seed: int = 2025,
             p_met: float = 0.86) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, declared) for every unit × indicator × year of `set_code`, deterministic for a seed.

    values: unit_code, set_code, indicator_code, year, value, illustrative — flags 1/0; numbers on the met
    side of the commune's applicable threshold with probability `p_met` (a national threshold, or the
    region's); indicators with no number get a plausible percentage.
    declared: an illustrative criterion result for every criterion (used only where the values leave it open)."""
    rng = np.random.default_rng(seed)
    indicators = rules.of_set("indicators", set_code)
    thresholds = rules.of_set("thresholds", set_code)
    known = thresholds[thresholds["certainty"].isin(["confirmed", "as_quoted"]) & thresholds["threshold"].notna()]
    n_units, n_years = len(units), len(years)
    frames = []
    for ind in indicators.itertuples():
        rows = known[known["indicator_code"] == ind.indicator_code]
        thr = rows["threshold"].iloc[0] if len(rows) else 50.0
        comparator = rows["comparator"].iloc[0] if len(rows) else ">="
        met = rng.random((n_units, n_years)) < p_met
        if ind.kind == "flag" or comparator == "==":
            value = np.where(met, thr, 1 - thr if thr in (0, 1) else thr + 1)
        else:
            spread = max(abs(thr) * 0.15, 1.0)
            offset = rng.random((n_units, n_years)) * spread
            above = np.where(met, offset, -offset - 0.01) if comparator in (">=", ">") else \
                np.where(met, -offset - 0.01, offset)
            value = np.round(thr + above, 2)
            if comparator in (">=", ">") and ind.unit == "%":
                value = np.clip(value, 0, 100)
        frames.append(pd.DataFrame({
            "unit_code": np.repeat(units["unit_code"].to_numpy(), n_years),
            "indicator_code": ind.indicator_code,
            "year": np.tile(years, n_units),
            "value": value.ravel()}))
    values = pd.concat(frames, ignore_index=True).assign(set_code=set_code, illustrative=True)
    # every criterion gets a declared result too: it fills in where the commune's thresholds are unknown
    open_criteria = rules.of_set("criteria", set_code)["criterion_no"].tolist()
    declared = pd.DataFrame({
        "unit_code": np.repeat(units["unit_code"].to_numpy(), n_years * len(open_criteria)),
        "year": np.tile(np.repeat(years, len(open_criteria)), n_units),
        "criterion_no": np.tile(open_criteria, n_units * n_years),
    })
    declared["status"] = np.where(rng.random(len(declared)) < p_met, "met", "not_met")
    declared = declared.assign(doc_id=LABEL, line=0)
    return values, declared
