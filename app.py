"""Entry point: `streamlit run app.py`. Page setup, shared sidebar filters, navigation."""

import streamlit as st

import ui
from ntm.i18n import t

st.set_page_config(page_title="NTM", page_icon="🌾", layout="wide")

lang = ui.lang()
pages = [
    st.Page("pages/criteria_by_district.py", title=t("page_criteria_by_district", lang),
            icon=":material/table_chart:", url_path="tieu-chi-theo-huyen", default=True),
]
nav = st.navigation(pages)
st.session_state["filters"] = ui.sidebar_filters()
nav.run()
with st.sidebar:
    st.caption(t("boundary_attribution", lang))
