"""Nhập số liệu / Data import: templates, editor sign-in, upload → preview → apply or discard, history with undo.
Reading needs no sign-in; importing and undoing need a signed-in editor (ntm.accounts). All writes go through
ntm.imports (one writer, append-only log, database rebuilt from data/ plus the applied batches)."""

import hashlib
import secrets

import pandas as pd
import streamlit as st

import ui
from ntm import accounts, imports, kinds, templates
from ntm.errors import DataError
from ntm.i18n import t

f = ui.filters()
lang = f["lang"]
province = f["province"]
st.title(t("imports_title", lang))
st.caption(t("imports_intro", lang))

merged = province.merged
kind = st.selectbox(t("imports_kind", lang), list(kinds.KINDS), key="import_kind",
                    format_func=lambda k: t(f"kind_{k}", lang))
if merged:
    st.info(t("imports_merged", lang))
else:
    st.download_button(t("imports_template", lang), file_name=f"mau-{kind}-{province.code}.xlsx",
                       data=lambda: templates.workbook(ui.cursor(), kind, province.code), on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="template_download")
    if kind == "indicators":
        st.download_button(t("imports_template_wide", lang), file_name=f"mau-{kind}-ngang-{province.code}.xlsx",
                           data=lambda: templates.workbook(ui.cursor(), kind, province.code, wide=True),
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           on_click="ignore", key="template_download_wide")

user = st.session_state.get("user")
with st.sidebar:
    if user:
        st.caption(ui.literal(t("imports_signed_in", lang, name=user["name"], role=user["role"])))
        if st.button(t("imports_sign_out", lang), key="sign_out"):
            st.session_state.pop("user", None)
            st.session_state.pop("staged", None)
            st.rerun()
    else:
        with st.form("sign_in"):
            st.write(t("imports_sign_in", lang))
            name = st.text_input(t("imports_user", lang), key="sign_in_name")
            password = st.text_input(t("imports_password", lang), type="password", key="sign_in_password")
            if st.form_submit_button(t("imports_sign_in_button", lang)):
                account = accounts.sign_in(name, password)
                if account:
                    st.session_state["user"] = user = account
                    st.rerun()
                st.error(t("imports_bad_sign_in", lang))
editor = bool(user) and user["role"] == "editor"


def _stage(upload) -> dict | None:
    """Check the upload, keep it as a batch and preview it; the problems when it is not valid."""
    suffix = imports.suffix_of(upload.name)
    folder = imports.root() / ".uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(8)}{suffix}"  # a generated name: the upload's own is only metadata
    path.write_bytes(upload.getvalue())
    try:
        con = ui.cursor()
        checked = imports.check(con, path, kind, province.code, upload.name)
        preview = imports.preview(con, checked, lang)
        batch = imports.stage(con, path, kind, province.code, upload.name, user["name"],
                              st.session_state.get("import_note", ""), checked=checked)
        return {"batch": batch, "preview": preview}
    except DataError as exc:
        ui.problems(exc, lang)
        return None
    finally:
        path.unlink(missing_ok=True)


if editor and not merged:
    upload = st.file_uploader(t("imports_upload", lang), type=["xlsx", "csv"], key="import_file")
    st.text_input(t("imports_note", lang), key="import_note")
    if upload is not None:
        digest = hashlib.sha256(upload.getvalue() + kind.encode() + province.code.encode()).hexdigest()
        staged = st.session_state.get("staged")
        if staged is None or staged["digest"] != digest:
            result = _stage(upload)
            staged = st.session_state["staged"] = {"digest": digest, **result} if result else None
        if staged and imports.statuses().get(staged["batch"]) == "staged":
            preview = staged["preview"]
            st.subheader(t("imports_preview", lang))
            st.text(preview["summary"])
            items = pd.DataFrame(preview["items"])
            ui.dataframe(pd.DataFrame({
                t("col_row", lang): items["line"].astype(str), t("col_unit", lang): items["unit"],
                t("col_what", lang): items["what"], t("col_before", lang): items["before"].map(imports.shown),
                t("col_after", lang): items["after"].map(imports.shown),
                t("col_change", lang): items["status"].map(lambda s: t(f"change_{s}", lang))}))
            left, right, _ = st.columns([1, 1, 6])
            if left.button(t("imports_apply", lang), type="primary", key="apply"):
                try:
                    imports.apply(staged["batch"], user["name"])
                    st.success(t("imports_applied", lang, batch=staged["batch"]))
                    st.cache_data.clear()
                except DataError as exc:
                    ui.problems(exc, lang)
            if right.button(t("imports_discard", lang), key="discard"):
                imports.discard(staged["batch"], user["name"])
                st.info(t("imports_discarded", lang, batch=staged["batch"]))
elif not editor:
    st.info(t("imports_viewer", lang))

st.subheader(t("imports_history", lang))
history = imports.history()
if history.empty:
    st.caption(t("imports_none", lang))
else:
    ui.dataframe(pd.DataFrame({
        t("col_batch", lang): history["id"], t("col_kind", lang): history["kind"].map(lambda k: t(f"kind_{k}", lang)),
        t("col_file", lang): history["file"], t("col_rows", lang): history["rows"].astype(str),
        t("col_by", lang): history["by"], t("col_at", lang): history["at"],
        t("col_batch_status", lang): history["status"].map(lambda s: t(f"batch_{s}", lang))}))
    applied = list(history.loc[history["status"] == "applied", "id"])
    if editor and applied:
        batch = st.selectbox(t("imports_undo_which", lang), applied, key="undo_batch")
        if st.button(t("imports_undo", lang), key="undo"):
            try:
                imports.undo(batch, user["name"])
                st.cache_data.clear()
                st.success(t("imports_reverted", lang, batch=batch))
            except DataError as exc:
                ui.problems(exc, lang)
