"""Entry point: `streamlit run app.py`. Page setup, shared sidebar filters, navigation."""

import streamlit as st

import ui
from ntm.i18n import t

lang = ui.lang()
st.set_page_config(page_title=t("app_title", lang), page_icon="🌾", layout="wide")  # an emoji: a Material icon
# favicon is fetched from fonts.gstatic.com (never offline); scripts/serve.py loads the emoji catalogue at start

PAGES = [("overview", "tong-quan", ":material/dashboard:"),
         ("criteria_by_district", "tieu-chi-theo-huyen", ":material/table_chart:"),
         ("communes", "xa", ":material/holiday_village:"),
         ("map", "ban-do", ":material/map:"),
         ("roadmap", "lo-trinh-muc-tieu", ":material/timeline:"),
         ("funding", "nguon-von", ":material/payments:"),
         ("quality", "chat-luong-du-lieu", ":material/rule:"),
         ("facts", "so-lieu-theo-van-ban", ":material/format_list_numbered:"),
         ("report", "xuat-bao-cao", ":material/description:"),
         ("sources", "nguon-phuong-phap", ":material/menu_book:"),
         ("imports", "nhap-so-lieu", ":material/upload_file:")]
pages = [st.Page(f"views/{name}.py", title=t(f"page_{name}", lang), icon=icon, url_path=path,
                 default=name == "overview") for name, path, icon in PAGES]
asked = ui.unknown_path([page.url_path for page in pages])  # the overview is at the root, not at /tong-quan
if asked is not None:
    st.session_state["asked_unknown_path"] = True
if st.session_state.get("asked_unknown_path"):  # also in the runs after it (the URL is then the overview's): the
    ui.replace_page_not_found()                  # dialog may come late on a loaded server (the app has no dialogs)
nav = st.navigation(pages)
st.session_state["filters"] = ui.sidebar_filters()
if asked is not None:
    st.warning(t("page_not_found", lang, path=ui.literal(asked[:120]), page=pages[0].title,
                 pages=", ".join(page.title for page in pages)))
ui.data_notice(lang)
nav.run()
with st.sidebar:
    st.caption(t("boundary_attribution", lang))
