"""Report-ready tables: the layout of the documents, Vietnamese number format, labels from i18n."""

import pandas as pd

from ntm import fmt
from ntm.i18n import t
from ntm.summary import GROUP_KEYS


def _district_label(entry: dict, lang: str) -> str:
    """A district computed from only some of its communes says how many: "Cam Lâm (2/12 xã)"."""
    if entry["basis"] != "computed_partial":
        return entry["district"]
    cov = entry["coverage"]
    return f"{entry['district']} ({cov['with_data']}/{cov['programme_communes']} {t('communes_unit', lang)})"


def summary_table(result: dict, lang: str = "vi", formatted: bool = True) -> pd.DataFrame:
    """The district table as the reports print it: one row per group and total, the province then each
    district as columns. Cells are formatted text ("16,47"); missing figures show "–"."""
    columns = []
    if result["total"]:
        columns.append((t("province_total", lang), result["total"]))
    columns += [(_district_label(d, lang), d) for d in result["districts"]]
    rows = {}
    for g in GROUP_KEYS:
        rows[t(f"group_{g}", lang)] = [c["groups"][g] for _, c in columns]
    rows[t("communes_total", lang)] = [c["communes"] for _, c in columns]
    rows[t("criteria_total", lang)] = [c["total_criteria"] for _, c in columns]
    rows[t("criteria_avg", lang)] = [c["avg_criteria"] for _, c in columns]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[name for name, _ in columns])
    frame.index.name = t("row_group", lang)
    if not formatted:
        return frame
    avg_row = t("criteria_avg", lang)
    return frame.apply(lambda row: row.map(lambda v: fmt.number(v, 2 if row.name == avg_row else None, lang)),
                       axis=1)
