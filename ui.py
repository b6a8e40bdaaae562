"""Streamlit glue shared by the pages: the database connection, cached results keyed by the filters, the sidebar
filters kept in the URL, source lines, the illustrative banner and the export buttons. Pages stay thin: read the
filters here, call `ntm`, render."""

import re
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import streamlit as st

import ntm.period
import ntm.timeline
import ui_plot
from ntm import fmt, loader, paths, resultcache, store, tables
from ntm.criteria import SET_NTM
from ntm.dbfile import NoDatabase
from ntm.errors import DataError
from ntm.i18n import LANGS, t
from ntm.unit import Unit
from ntm.units import UnknownUnit, resolve_province

STATUS_COLOURS = {"achieved": "green", "on_track": "blue", "at_risk": "orange", "off_track": "red",
                  "ambiguous": "gray", "no_data": "gray"}  # markdown badge colours


def _file_key(db: Path) -> tuple | None:
    """The database file as it is now (inode, size, modification): a rebuild or damage gives a new key."""
    try:
        info = db.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


_SERVED: dict[str, tuple] = {}  # database path -> (connection, status, key of the file it reads)
_SERVED_LOCK = threading.Lock()


def _database() -> tuple:
    """(connection, status, file key) of the database being served. When the file changed under the server
    (rebuilt, or damaged) it is checked again (loader.ensure: rebuilt when data/ changed or the file is damaged;
    the last good one when the rebuild fails), the old connection is closed — DuckDB would otherwise hand back
    its instance of the old file — and a new one opened, so a rebuild needs no restart. A database that cannot be
    served stops the page with the reason; the failing build is remembered, not retried on every load."""
    db = paths.db_path()
    key, failure = _file_key(db), None
    with _SERVED_LOCK:
        served = _SERVED.get(str(db))
        if served is None or served[2] != key:
            try:
                status = loader.ensure(db)
            except NoDatabase as exc:
                failure = exc
            else:
                if served is not None:
                    served[0].close()
                served = _SERVED[str(db)] = (store.connect(status.db), status, _file_key(status.db))
    if failure is not None:
        language = lang()
        st.error(t("database_missing", language))
        problems(failure, language)
        st.stop()
    return served


def connection():
    return _database()[0]


def cursor():
    """A cursor per query: a DuckDB connection is not thread-safe."""
    return connection().cursor()


def data_notice(lang_code: str) -> None:
    """On every page: the illustrative banner when the database is generated (ntm.national), and when the last
    good database serves because the rebuild failed, that it does and why."""
    if _illustrative(_database()[2]):
        st.warning(t("database_illustrative", lang_code), icon=":material/science:")
    status = _database()[1]
    if status.stale:
        st.warning(t("database_stale", lang_code))
        with st.expander(t("database_stale_details", lang_code)):
            problems(DataError(status.problems), lang_code)


@st.cache_data(show_spinner=False, max_entries=4)
def _illustrative(key: tuple) -> bool:
    """Whether the database file (by its key) is an illustrative one: its build_info says so."""
    return bool(store.build_info(cursor()).get("illustrative"))


# Results in the server's memory: at most 64 MB of them (pickled), none over 4 MB (issue 13: the server under 1 GB;
# a result a page reads is a few kB, the largest — a province's every stated figure — tens of MB).
_MEMORY = resultcache.Memory(budget=64 * 2**20, largest=4 * 2**20)


def cached(function: Callable, *args, **kwargs):
    """Run an `ntm` function on a fresh cursor, cached by the function (its qualified name), its arguments (the
    filters) and the database file it read: in memory (bounded by bytes), and on disk per build (ntm.resultcache)
    so a fresh server process does not compute it again and a result too large to keep in memory is read back."""
    _, status, key = _database()
    name = resultcache.key(f"{function.__module__}.{function.__qualname__}", args, kwargs)
    return _MEMORY.get((key, name), lambda: _stored(status.digest, name, function, args, kwargs))


def _stored(digest: str | None, name: str, function: Callable, args: tuple, kwargs: dict):
    stored = resultcache.load(digest, name)
    if not resultcache.missing(stored):
        return stored
    result = function(cursor(), *args, **kwargs)
    resultcache.save(digest, name, result)
    return result


def provinces() -> list[Unit]:
    return _provinces(_database()[2])


@st.cache_data(show_spinner=False, max_entries=8)
def _provinces(key: tuple) -> list[Unit]:
    return store.province_units(cursor())


def province_options() -> dict[str, Unit]:
    """The provinces of the 2024 list, then those merged in 2025 that hold them, by unit id (what the URL holds)."""
    return {p.unit_id: p for p in provinces() + cached(ntm.timeline.new_provinces_with_parts)}


def criteria_sets() -> list[str]:
    """The commune criteria sets the rulebook gives a structure to (2021-2025 and 2026-2030)."""
    return cached(ntm.period.selectable_sets)


def _province_label(p: Unit, ended: str | None, language: str) -> str:
    """A province's name; an old one with the day it ended, a merged one with the day it began."""
    if not p.merged:
        return t("province_old", language, name=p.name, date=fmt.date_text(ended, language)) if ended else p.name
    return t("province_merged", language, name=p.name, date=fmt.date_text(p.valid_from, language))


def _from_url(key: str, options: list, default):
    value = st.query_params.get(key)
    for option in options:
        if str(option) == value:
            return option
    return default


def _url_choice(key: str, options: list, default, language: str, notices: list[str]):
    """The URL's value when it is one of the options; otherwise a visible notice naming the valid choices (a
    mistyped or forwarded link never silently shows something else)."""
    value = st.query_params.get(key)
    chosen = _from_url(key, options, default)
    if value is not None and str(chosen) != value:  # once: the URL then holds the value shown
        notices.append(t("url_unknown", language, param=key, value=literal(value), shown=literal(chosen),
                         choices=literal(", ".join(map(str, options)))))
    return chosen


def _url_province(codes: list[str], language: str, notices: list[str]) -> str:
    """A province in the URL by code, or by name with or without diacritics as the CLI accepts it; an unknown
    one is named in a notice with the valid choices."""
    value = st.query_params.get("province")
    if value is None or value in codes:
        return value or "56"
    try:
        code = resolve_province(cursor(), value).code
    except UnknownUnit:
        code = None
    if code in codes:
        return code
    names = ", ".join(f"{p.code} {p.name}" for p in provinces())
    notices.append(t("url_unknown_province", language, value=literal(value), choices=literal(names)))
    return "56"


def lang() -> str:
    return st.session_state.get("lang", _from_url("lang", list(LANGS), "vi"))


def unknown_path(known: list[str]) -> str | None:
    """The page path a link asks for when no page has it (mistyped, outdated), as the browser sent it; None for
    a known page. Read before st.navigation, which replaces an unknown path with the default page's."""
    url = st.context.url
    if not url:
        return None
    path = unquote(urlparse(url).path).strip("/")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path.removeprefix(base).strip("/")
    return path if path not in known else None


# Streamlit's own "Page not found" dialog (English) for a link to an unknown path: hidden from its first frame,
# then closed by its own button (which also gives the page its scrolling and screen-reader tree back). Only in
# the run that received such a link; the page then says it in the reader's language (`page_not_found`).
_NOT_FOUND_STYLE = "<style>[data-testid='stDialog'] { display: none !important; }</style>"
_NOT_FOUND_CLOSE = """<script>
(() => {
  const close = () => {
    const button = document.querySelector("[data-testid='stDialog'] button[aria-label='Close']");
    if (button) button.click();
    return Boolean(button);
  };
  if (close()) return;
  const watch = new MutationObserver(() => { if (close()) watch.disconnect(); });
  watch.observe(document.body, {childList: true, subtree: true});
  setTimeout(() => watch.disconnect(), 300000);  // the dialog comes when the run ends: a cold run may be slow
})();
</script>"""


def replace_page_not_found() -> None:
    st.html(_NOT_FOUND_STYLE)
    st.html(_NOT_FOUND_CLOSE, unsafe_allow_javascript=True)


def sidebar_filters() -> dict:
    """Province, as-of year, criteria set and language in the sidebar, mirrored in the URL query string so a link
    reproduces the view. A value the link holds that is not valid is said in a notice above the page."""
    notices: list[str] = []
    with st.sidebar:
        language = st.radio(t("language", lang()), LANGS, key="lang", horizontal=True,
                            index=LANGS.index(_url_choice("lang", list(LANGS), "vi", "vi", notices)),
                            format_func=lambda x: t(f"language_{x}", x))  # each language in itself
        options = province_options()
        ended = {part: p.valid_from for p in options.values() for part in p.parts}  # the day an old province ended
        codes = list(options)
        code = st.selectbox(t("province", language), codes, index=codes.index(_url_province(codes, language, notices)),
                            key="province", format_func=lambda c: _province_label(options[c], ended.get(c), language))
        merged = options[code] if options[code].merged else None
        scope, units_date = (_merged_scope(merged, language) if merged else (None, None))
        years, latest = cached(ntm.period.as_of_years), cached(ntm.period.latest_report_year)
        as_of = st.selectbox(t("as_of_year", language), years, key="as_of",
                             index=years.index(_url_choice("as_of", years, latest, language, notices)))
        sets = criteria_sets()
        criteria_set = st.selectbox(t("criteria_set", language), sets, key="set",
                                    index=sets.index(_from_url("set", sets, SET_NTM)),
                                    format_func=lambda s: t(f"set_{s}", language))
    st.query_params.update({"lang": language, "province": code, "as_of": str(as_of), "set": criteria_set})
    for notice in notices:
        st.warning(notice)
    province = options[scope or code]
    return {"lang": language, "province": province, "as_of": as_of, "set": criteria_set,
            "merged": merged, "units_date": units_date}


def _merged_scope(merged: Unit, language: str) -> tuple[str | None, str]:
    """For a province merged in 2025: the whole new province or one of its old provinces (history), and the date
    whose units apply; both in the URL."""
    names = {p.code: p.name for p in provinces()}  # old provinces the data hold
    parts = [None] + [c for c in merged.parts if c in names]
    scope = st.radio(t("merged_scope", language), parts, key="merged_scope",
                     index=parts.index(_from_url("part", parts, None)),
                     format_func=lambda c: t("merged_whole", language) if c is None else
                     t("merged_part", language, name=names[c]))
    try:
        default = date.fromisoformat(st.query_params.get("units_date", str(merged.valid_from)))
    except ValueError:  # a hand-edited URL: fall back to the date the province began
        default = date.fromisoformat(str(merged.valid_from))
    day = st.date_input(t("units_as_of", language), value=default, key="units_date", format="DD/MM/YYYY")
    st.query_params.update({"units_date": str(day)})
    if scope:
        st.query_params["part"] = scope
    else:
        st.query_params.pop("part", None)
    return scope, str(day)


def merged_page(page: str) -> bool:
    """On a province merged in 2025 (whole scope): render the page's view across the reform and return True (the
    page then stops); on one of its old provinces: say so and return False (the page renders as before)."""
    f = filters()
    if not f.get("merged"):
        return False
    if f["province"] != f["merged"]:
        st.info(t("merged_part_banner", f["lang"], part=f["province"].name, name=f["merged"].name,
                  date=fmt.date_text(f["merged"].valid_from, f["lang"])))
        return False
    import ui_merged

    ui_merged.render(page, f)
    return True


def filters() -> dict:
    return st.session_state["filters"]


def filters_text(extra: str | None = None) -> str:
    f = filters()
    parts = [f"{t('province', f['lang'])}: {f['province'].name}", f"{t('as_of_year', f['lang'])}: {f['as_of']}"]
    return t("filters_line", f["lang"], filters="; ".join(parts + ([extra] if extra else [])))


def year_filter(years: list[int], lang_code: str, scope: str) -> int | None:
    """Year selector for the years that have data; the URL's year is used when it is one of them."""
    if not years:
        st.query_params.pop("year", None)
        return None
    notices: list[str] = []
    default = _url_choice("year", years, years[-1], lang_code, notices)
    for notice in notices:
        st.warning(notice)
    with st.sidebar:
        year = st.selectbox(t("year", lang_code), years, index=years.index(default), key=f"year_{scope}")
    st.query_params["year"] = str(year)
    return year


_MARKDOWN_CHARS = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character: CommonMark escapes them all


def literal(text) -> str:
    """Text from a file or a user, made safe for a markdown element: on one line, every punctuation character
    backslash-escaped, so no link, image, HTML, colour directive or formula can form; it shows as written."""
    return _MARKDOWN_CHARS.sub(r"\\\1", " ".join(str(text).split()))


def problems(error: DataError, lang_code: str) -> None:
    """Every problem of a DataError as an error box: place (file, sheet, row, column) and message, literally."""
    for p in error.problems:
        st.error(literal(f"{p.where(lang_code)}: {p.vi if lang_code == 'vi' else p.en}"))


def source_lines(sources: list[dict]) -> None:
    for s in sources:
        st.caption(literal(s["citation"] if isinstance(s, dict) else s))


def chart(fig, name: str, extra_filter: str | None = None) -> None:
    """A chart with its PNG (print resolution) and SVG downloads; the images are made only when asked for."""
    ui_plot.show(fig, f"chart_{name}", t("chart_not_loaded", filters()["lang"]))
    chart_downloads(fig, name, extra_filter)


def chart_downloads(fig, name: str, extra_filter: str | None = None) -> None:
    from ntm import exports  # plotly's image export and openpyxl: loaded when a page offers a download

    text = filters_text(extra_filter)
    language = filters()["lang"]
    row = st.container(horizontal=True)  # buttons as wide as their labels, side by side
    row.download_button(t("download_png", language), data=lambda: exports.image(fig, "png", text),
                        file_name=f"{name}.png", mime="image/png", key=f"png_{name}", on_click="ignore")
    row.download_button(t("download_svg", language), data=lambda: exports.image(fig, "svg", text),
                        file_name=f"{name}.svg", mime="image/svg+xml", key=f"svg_{name}", on_click="ignore")


TABLE_PX = 970  # the main column of a wide page at 1440 px with the sidebar open (978 px), less its border
ROW_PX, ROWS_SHOWN = 35, 25  # the grid's row (and header) height; rows shown before the table scrolls
WRAPPED_ROW_PX = 68  # above 4rem Streamlit's grid wraps text: three lines
NARROW = ("col_source", "col_note", "col_agency", "col_expected", "col_document_threshold")  # give way first


def dataframe(display: pd.DataFrame, hide_index: bool = True, narrow: tuple[str, ...] = ()) -> None:
    """A table that fits the page: all its rows up to ROWS_SHOWN without a scroll box; long columns (`narrow`:
    notes, source citations) capped so that the key columns show without scrolling sideways, with taller rows
    where a key column's text must wrap."""
    widths, cut = tables.fitted_widths(display, TABLE_PX, narrow)
    config = {c: st.column_config.Column(width=widths.get(str(c))) for c in display.columns}
    row = WRAPPED_ROW_PX if cut else ROW_PX  # a key column cut to fit: its text wraps on up to three lines
    st.dataframe(display, hide_index=hide_index, width="stretch", column_config=config, row_height=row,
                 height=ROW_PX + (row * len(display) if len(display) <= ROWS_SHOWN else ROW_PX * ROWS_SHOWN) + 3)


def table(display: pd.DataFrame, raw: pd.DataFrame | Callable[[], pd.DataFrame], name: str, title: str,
          source_text: str, decimals: dict[str, int] | None = None, extra_filter: str | None = None,
          hide_index: bool = True) -> None:
    """A table as shown (formatted text; None when the page shows it its own way) with XLSX (numbers as numbers)
    and CSV downloads of the raw values (or of the frame `raw()` gives, read only when a download is asked for)."""
    from ntm import exports  # openpyxl: loaded when a page offers a download

    text = filters_text(extra_filter)
    language = filters()["lang"]
    whole = raw if callable(raw) else lambda: raw
    if display is not None:
        dataframe(display, hide_index, narrow=tuple(t(k, language) for k in NARROW))
    row = st.container(horizontal=True)  # buttons as wide as their labels, side by side
    row.download_button(t("download_xlsx", language),
                        data=lambda: exports.table_xlsx(whole(), title, text, source_text, decimals),
                        file_name=f"{name}.xlsx", key=f"xlsx_{name}", on_click="ignore",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    for dialect in ("vi", "machine"):
        row.download_button(t(f"download_csv_{dialect}", language), file_name=f"{name}-{dialect}.csv",
                            data=lambda d=dialect: exports.table_csv(whole(), d, decimals), mime="text/csv",
                            key=f"csv_{dialect}_{name}", on_click="ignore", help=t(f"csv_{dialect}_help", language))


def formatted(frame: pd.DataFrame, lang_code: str, decimals: dict[str, int] | None = None,
              plain: tuple[str, ...] = ()) -> pd.DataFrame:
    """Numbers as Vietnamese officials write them (1.234,5), unknown as "–"; `plain` columns (years, codes) as
    they are."""
    decimals = decimals or {}
    out = frame.copy()
    for column in out.columns:
        if column in plain:
            out[column] = out[column].map(lambda v: "–" if v is None or v != v else str(int(v)))
        elif pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map(lambda v, c=column: fmt.number(v, decimals.get(c), lang_code))
    return out.astype(object).where(out.notna(), "–")
