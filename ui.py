"""Streamlit glue shared by the pages: the database connection, the sidebar filters kept in the URL, and
the source line. Pages stay thin: read filters here, call `ntm`, render."""

import streamlit as st

from ntm import loader, paths, store
from ntm.i18n import LANGS, t


@st.cache_resource(show_spinner=False)
def connection():
    """One read-only connection per server process, built from data/ if missing or stale; take a cursor
    per query (a DuckDB connection is not thread-safe)."""
    db = paths.db_path()
    loader.ensure_built(db)
    return store.connect(db)


def cursor():
    return connection().cursor()


@st.cache_data(show_spinner=False)
def provinces() -> list[dict]:
    return store.provinces(cursor()).to_dict("records")


def _from_url(key: str, options: list, default):
    value = st.query_params.get(key)
    for option in options:
        if str(option) == value:
            return option
    return default


def lang() -> str:
    return st.session_state.get("lang", _from_url("lang", list(LANGS), "vi"))


def sidebar_filters() -> dict:
    """Province and language in the sidebar, mirrored in the URL query string so a link reproduces the view."""
    with st.sidebar:
        language = st.radio(t("language", lang()), LANGS, key="lang", horizontal=True,
                            index=LANGS.index(_from_url("lang", list(LANGS), "vi")),
                            format_func=lambda x: {"vi": "Tiếng Việt", "en": "English"}[x])
        options = provinces()
        codes = [p["code"] for p in options]
        default = _from_url("province", codes, "58")
        code = st.selectbox(t("province", language), codes, index=codes.index(default), key="province",
                            format_func=lambda c: next(p["name"] for p in options if p["code"] == c))
    st.query_params["lang"] = language
    st.query_params["province"] = code
    return {"lang": language, "province": next(p for p in options if p["code"] == code)}


def year_filter(years: list[int], lang_code: str, scope: str) -> int | None:
    """Year selector for the years that have data; the URL's year is used when it is one of them."""
    if not years:
        st.query_params.pop("year", None)
        return None
    default = _from_url("year", years, years[-1])
    with st.sidebar:
        year = st.selectbox(t("year", lang_code), years, index=years.index(default), key=f"year_{scope}")
    st.query_params["year"] = str(year)
    return year


def source_lines(sources: list[dict]) -> None:
    for s in sources:
        st.caption(s["citation"])
