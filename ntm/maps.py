"""The map: districts coloured by a measure, communes as markers at their GeoNames points (sized by the criteria
they meet where a document says), or, once a province has loaded its own commune boundaries, a true commune
choropleth; for a chosen year; the units' names written on the map (SVG text with the system's fonts, drawn by
plotly's `geo`, so no glyph server is needed) — no tiles, no network."""

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ntm import fmt, geo, period, roadmap, sources, store
from ntm.charts import LEVEL_COLOURS, STATUS_COLOURS, wrap
from ntm.criteria import SET_NTM
from ntm.i18n import t
from ntm.progress import progress
from ntm.summary import summary
from ntm.unit import Unit

MEASURES = ("share_ntm", "share_nang_cao", "share_kieu_mau", "avg_criteria", "status_2025")
NOT_YET, UNKNOWN = "#888888", "#DDDDDD"
UNKNOWN_AREA = "#BDBDBD"  # a district without a value: grey with its own legend entry, never the colour of 0 %
SCALE = [[0, "#DEEBF7"], [0.5, "#6BAED6"], [1, "#08306B"]]  # 0 % is a visible pale blue, not "unknown"
# a solid white outline (eight 1 px shadows) and a soft edge: a name stays readable on the darkest fill
HALO = ", ".join([f"{x}px {y}px 0 #FFFFFF" for x in (-1, 0, 1) for y in (-1, 0, 1) if x or y] + ["0 0 3px #FFFFFF"])
BOTTOM = 150  # px under the map: legend, then source
LEVEL_RANK = {level: rank for rank, level in enumerate(roadmap.LEVELS, 1)}  # lowest first


def commune_states(con, province: Unit, year: int) -> pd.DataFrame:
    """Every rural commune (xã) at the end of `year`: the highest level reached (`reached`, `reached_year`), the
    higher level planned for a year up to `year` (`planned`, `planned_year`), and what the map shows (`level`,
    `kind`: actual / planned / none = not yet / unknown where the documents' lists are incomplete); with its
    point where GeoNames has one."""
    code = province.code
    units = store.unit_attributes(con, province_code=code, xa_only=True)
    frame = units[["unit_code", "name", "district_code", "district"]].rename(columns={"unit_code": "code"})
    frame = frame.set_index("code")
    for col in ("reached", "reached_year", "planned", "planned_year", "doc_id", "line"):
        frame[col] = None
    for level in roadmap.LEVELS:  # one row per commune and level; a higher level overrides (column operations)
        status = roadmap.commune_status(con, code, roadmap.LEVELS[level]).set_index("unit_code")
        on = {c: pd.Series(status[c].reindex(frame.index).to_numpy(dtype=object), index=frame.index)
              for c in ("status", "status_year", "doc_id", "line")}
        known = on["status_year"].notna()
        by_then = known & (on["status_year"].where(known, 0) <= year)
        reached = (on["status"] == "actual") & (~known | by_then)
        planned = (on["status"] == "planned") & by_then
        frame.loc[reached, "reached"], frame.loc[reached, "reached_year"] = level, on["status_year"][reached].where(
            known, None)
        frame.loc[reached, "doc_id"], frame.loc[reached, "line"] = on["doc_id"][reached], on["line"][reached].map(int)
        frame.loc[planned, "planned"], frame.loc[planned, "planned_year"] = level, on["status_year"][planned]
    # a district whose stated count of NTM communes equals its programme communes (Trà Cú "15/15 xã", 001 l.119)
    # has every one of its communes at NTM at least, though the document lists none by name
    for district, stock in roadmap.whole_districts(con, code, year).items():
        mine = (frame["district_code"] == district) & frame["reached"].isna()
        frame.loc[mine, ["reached", "doc_id", "line"]] = ["ntm", stock["doc_id"], stock["line"]]
    above = frame["planned"].map(LEVEL_RANK).fillna(0) > frame["reached"].map(LEVEL_RANK).fillna(0)
    frame.loc[~above, ["planned", "planned_year"]] = None
    # a commune missing from the lists is "not yet" only where the NTM list is known to be complete
    complete = roadmap.recognised_counts(con, code, "ntm", [year])[year].get(code) is not None
    frame["level"] = frame["planned"].where(above, frame["reached"])
    frame["year"] = frame["planned_year"].where(above, frame["reached_year"])
    frame["kind"] = np.select([above, frame["reached"].notna()], ["planned", "actual"],
                              "none" if complete else "unknown")
    met = store.facts(con, "reported_aggregates", code)
    met = met[(met["measure"] == "criteria_met") & (met["set_code"] == SET_NTM) & (met["year"] <= year)]
    met = met.sort_values("year").drop_duplicates("unit_code", keep="last").set_index("unit_code")
    frame["criteria_met"] = frame.index.map(met["value"])  # declared counts where a document gives one
    frame["criteria_year"] = frame.index.map(met["year"])
    frame["criteria_of"] = period.n_criteria(con, SET_NTM)  # "14/19": out of the set's criteria
    points = store.commune_points(con, code)
    return frame.reset_index().merge(points[["code", "lat", "lon"]], on="code", how="left")


def district_values(con, province: Unit, year: int, measure: str) -> pd.DataFrame:
    """One value per district for the choropleth (NaN = unknown, shown grey)."""
    code = province.code
    districts = store.units(con, level="district", province_code=code)[["code", "name", "full_name"]]
    programme = store.programme_communes_per_district(con, code)
    if measure.startswith("share_"):
        counts = roadmap.recognised_counts(con, code, measure.removeprefix("share_"), [year])[year]
        districts["value"] = [round(100 * counts[d] / programme[d], 1) if counts.get(d) is not None and programme.get(d)
                              else float("nan") for d in districts["code"]]
    elif measure == "avg_criteria":
        result = summary(con, province, year)
        avg = {d["district_code"]: d["avg_criteria"] for d in result["districts"] if d["basis"] != "computed_partial"}
        districts["value"] = [avg.get(d, float("nan")) for d in districts["code"]]
    else:
        rows = progress(con, province, period.target_year(con, year), year)["targets"]
        status = {r["unit_code"]: r["status"] for r in rows if r["indicator"] == "communes_ntm"}
        districts["value"] = [status.get(d) for d in districts["code"]]
    return districts


def province_counts(con, province: Unit, year: int, lang: str = "vi") -> list[dict]:
    """Communes reached by the end of `year` per level (a stated count, or a complete list), and with those
    planned up to `year` where the list is complete; unknown (None) otherwise."""
    out = []
    for level in roadmap.LEVELS:
        actual = roadmap.recognised_counts(con, province.code, level, [year])[year].get(province.code)
        result = roadmap.by_year(con, province, level, lang)
        series = result["years"]
        planned = [y["cumulative"] for y in series if y["year"] is not None and y["year"] <= year
                   and y["cumulative"] is not None]
        listed = roadmap.cumulative(series, year) == actual
        stock = [s for s in result["stocks"] if s["year"] <= year]
        anchored = any(y.get("basis") == "stock" for y in series)
        out.append({"level": level, "actual": actual,
                    "with_planned": (planned[-1] if planned else actual) if (actual is not None and listed)
                    or anchored else None,
                    "stock": stock[-1] if stock else None})
    return out


def source_text(con, communes: pd.DataFrame, lang: str = "vi") -> str:
    """The documents (and their lines) the communes' states on the map come from, as citations."""
    return sources.of_rows(store.documents(con), communes, lang)


def figure(province: Unit, districts: pd.DataFrame, measure: str, communes: pd.DataFrame, year: int,
           source_text: str, lang: str = "vi", boundaries: dict | None = None, height: int = 720,
           name_communes: bool = False) -> go.Figure:
    """Districts (or the province's own commune polygons) coloured by `measure`; communes as markers coloured by
    level, planned ones lighter; the districts named on the map, and the communes where their polygons are loaded
    or `name_communes` (one district's communes shown); a legend and both attributions inside the figure."""
    code = province.code
    shape = geo.clockwise(geo.districts(code))
    fig = go.Figure()
    if measure == "status_2025":
        for status, colour in STATUS_COLOURS.items():
            part = districts[districts["value"] == status]
            if part.empty:
                continue
            fig.add_trace(go.Choropleth(
                geojson=shape, locations=part["code"], z=[1] * len(part), colorscale=[[0, colour], [1, colour]],
                showscale=False, marker=dict(opacity=1, line=dict(width=1, color="white")),
                name=t(f"status_{status}", lang), showlegend=True, text=part["name"],
                hovertemplate="%{text}: " + t(f"status_{status}", lang) + "<extra></extra>"))
    else:
        known = districts[districts["value"].notna()]
        unknown = districts[districts["value"].isna()  # an archipelago off the mainland map: no legend entry
                            & ~districts["code"].isin(geo.offshore_codes(code))]
        label = t(f"measure_{measure}", lang)
        if not known.empty:
            fig.add_trace(go.Choropleth(
                geojson=shape, locations=known["code"], z=known["value"], colorscale=SCALE,
                zmin=0, zmax=100 if measure.startswith("share_") else 19,
                marker=dict(opacity=1, line=dict(width=1, color="white")), name=label,
                text=[f"{n}: {fmt.number(v, 1, lang)}" for n, v in zip(known["name"], known["value"], strict=True)],
                hovertemplate="%{text}<extra></extra>",
                colorbar=dict(title=dict(text=label, side="right"), thickness=12, len=0.6, x=1.0)))
        if not unknown.empty:
            fig.add_trace(go.Choropleth(
                geojson=shape, locations=unknown["code"], z=[0] * len(unknown),
                colorscale=[[0, UNKNOWN_AREA], [1, UNKNOWN_AREA]], showscale=False, name=t("map_unknown_area", lang),
                showlegend=True,
                marker=dict(line=dict(width=1, color="white")), text=unknown["name"],
                hovertemplate="%{text}: " + t("map_unknown", lang) + "<extra></extra>"))
    if boundaries:
        boundaries = geo.clockwise(boundaries)
        fig.add_trace(go.Choropleth(
            geojson=boundaries, locations=[f["id"] for f in boundaries["features"]],
            z=[LEVEL_RANK.get(communes.set_index("code")["level"].get(f["id"]), 0) for f in boundaries["features"]],
            colorscale=[[0, NOT_YET], [0.33, LEVEL_COLOURS["ntm"]], [0.66, LEVEL_COLOURS["nang_cao"]],
                        [1, LEVEL_COLOURS["kieu_mau"]]], zmin=0, zmax=3, showscale=False,
            name=t("map_commune_polygons", lang), marker=dict(opacity=0.7, line=dict(width=0.5, color="white"))))
    placed = communes[communes["lat"].notna()]
    groups = [(None, "unknown", t("map_unknown_commune", lang), UNKNOWN),
              (None, "none", t("map_not_yet", lang), NOT_YET)]
    groups += [(level, kind, f"{t(f'level_{level}', lang)} · {t(f'kind_{kind}', lang)}", LEVEL_COLOURS[level])
               for level in LEVEL_RANK for kind in ("actual", "planned")]
    for level, kind, name, colour in groups:
        same_level = placed["level"].isna() if level is None else placed["level"] == level
        part = placed[same_level & (placed["kind"] == kind)]
        if not part.empty:
            fig.add_trace(go.Scattergeo(
                lat=part["lat"], lon=part["lon"], mode="markers", name=name, customdata=part["code"],
                marker=dict(size=[(9 if level else 7) + (0 if m != m else m / 3) for m in part["criteria_met"]],
                            color=colour, opacity=0.45 if kind == "planned" else 1.0),
                text=[_hover(r, lang) for r in part.to_dict("records")], hovertemplate="%{text}<extra></extra>"))
    box, taken = geo.bbox(code), []
    shared = districts["name"].duplicated(keep=False)  # Trà Vinh's two "Duyên Hải": Huyện and Thị xã
    names = dict(zip(districts["code"], districts["name"].where(~shared, districts["full_name"]), strict=True))
    fig.add_trace(labels(geo.label_points(shape), names, 12, t("map_district_names", lang), box, taken))
    commune_names = dict(zip(communes["code"], communes["name"], strict=True))
    if boundaries:  # the province's own commune polygons, each named inside
        fig.add_trace(labels(geo.label_points(boundaries), commune_names, 9, t("map_commune_names", lang), box, taken))
    elif name_communes:  # one district's communes: each named beside its marker, around the districts' names
        fig.add_trace(labels({c: (lon, lat, 0) for c, lon, lat in zip(placed["code"], placed["lon"], placed["lat"],
                                                                         strict=True)},
                             commune_names, 10, t("map_commune_names", lang), box, taken, beside=True))
    title = t("map_title", lang, province=province.name, year=year, measure=t(f"measure_{measure}", lang))
    attribution = geo.attribution(lang)
    fig.update_layout(
        title=dict(text=title), geo=geo.layout(box),
        height=height, margin=dict(l=10, r=10, t=60, b=BOTTOM), font=dict(family="Times New Roman, serif", size=13),
        legend=dict(orientation="h", yanchor="top", y=-0.02, x=0), separators=",." if lang == "vi" else ".,")
    # the source at the foot of the figure, under a legend of up to three rows, on screen and in the A4 export
    fig.add_annotation(text=wrap(f"{source_text} · {attribution}", 125), xref="paper", yref="paper", x=0,
                       y=-(BOTTOM - 6) / (height - 60 - BOTTOM), showarrow=False, xanchor="left", yanchor="bottom",
                       align="left", font=dict(size=10, color="#444"))
    return fig


def labels(points: dict, names: dict, size: int, name: str, box: tuple, taken: list | None = None,
           beside: bool = False) -> go.Scattergeo:
    """The units' names (from the data, as text: never markup) written at their points (id -> lon, lat, area) or
    beside them, moved where they would cover a name already written (`taken`), left out where no place is free
    (the hover still names every unit); a white outline keeps them readable on any fill."""
    places = geo.label_places({i: p for i, p in points.items() if names.get(i)}, names, size, box, taken, beside)
    return go.Scattergeo(lon=[points[i][0] for i in places], lat=[points[i][1] for i in places], mode="text",
                         text=[html.escape(names[i]) for i in places], textposition=list(places.values()),
                         name=name, showlegend=False, hoverinfo="skip",
                         textfont=dict(size=size, color="#111111", weight=600 if size > 10 else 400, shadow=HALO))


def _hover(r: dict, lang: str) -> str:
    state = t("map_not_yet" if r["kind"] == "none" else "map_unknown", lang) if not r["level"] else (
        f"{t('level_' + r['level'], lang)} · {t('kind_' + r['kind'], lang)} {r['year'] or ''}")
    if r["kind"] == "planned" and r["reached"]:
        state += f"<br>{t('level_' + r['reached'], lang)} · {t('kind_actual', lang)} {r['reached_year'] or ''}"
    if r["criteria_met"] == r["criteria_met"] and r["criteria_met"] is not None:
        state += (f"<br>{t('col_criteria_met', lang)}: {int(r['criteria_met'])}/{r['criteria_of']} "
                  f"({int(r['criteria_year'])})")
    source = f"<br>{t('col_source', lang)}: {r['doc_id']}:{r['line']}" if r["doc_id"] else ""
    return f"<b>{r['name']}</b> ({r['district']})<br>{state}{source}"
