"""Import batches: an office's file staged, validated, previewed, applied as a source document, and undone.

Batches live under `var/imports/` (or $NTM_IMPORTS). `log.jsonl` is the append-only history (staged, applied,
discarded, reverted, apply_failed — each with who and when); nothing in it is ever rewritten. Each batch has a
folder named by a generated id (checked against BATCH_ID before any path is built; the uploaded file's name is
kept only as metadata) holding:

- `original.csv|xlsx`: the file as uploaded (its SHA-256 in batch.json);
- `batch.json`: kind, province, original name, who, when, note, licence, number of rows;
- `documents.csv`: the batch as a source document (kind `import`), `rows.txt`: line N is row N of the sheet,
  and `facts/<table>/<id>.csv` in the data/ fact-file contract — so the loader loads an applied batch exactly
  like a seed document, with the same checks, and every imported figure cites the file and row.

The database stays derived: apply and undo append to the log and rebuild (ntm.loader: data/ plus the applied
batches); the build's fingerprint includes the applied batches, so a reader's `ensure` sees the change too. One
writer at a time (a lock file); a failed rebuild is logged `apply_failed` and leaves the database as it was.
"""

import contextlib
import csv
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ntm import kinds, paths, store
from ntm.errors import DataError, Problem, excerpt
from ntm.i18n import t

BATCH_ID = re.compile(r"^b\d{8}t\d{6}-[0-9a-f]{8}$")
SUFFIXES = (".csv", ".xlsx")
DOC_COLUMNS = ["doc_id", "file", "kind", "issuer", "number", "date", "date_text", "title", "province_code",
               "district_code", "note"]
LICENCE = "Số liệu của cơ quan nhập (owned by the importing office)"


def suffix_of(file_name: str, allowed: tuple[str, ...] = SUFFIXES) -> str:
    """The declared format of an upload's name, when allowed (".bin" otherwise); the name itself never enters a
    path."""
    suffix = Path(str(file_name)).suffix.lower()
    return suffix if suffix in allowed else ".bin"


def root() -> Path:
    """The batch folder: $NTM_IMPORTS or var/imports."""
    return Path(os.environ.get("NTM_IMPORTS") or paths.ROOT / "var" / "imports")


def batch_dir(batch_id: str, base: Path | None = None) -> Path:
    if not isinstance(batch_id, str) or not BATCH_ID.match(batch_id):
        raise DataError([Problem("imports", None, None, f"mã lô '{excerpt(batch_id)}' không hợp lệ",
                                 f"batch id '{excerpt(batch_id)}' is not valid")])
    return (base or root()) / batch_id


@contextlib.contextmanager
def writer(base: Path | None = None):
    """The one-writer lock (a file of its own: never the database's lock, which a build takes itself)."""
    base = base or root()
    base.mkdir(parents=True, exist_ok=True)
    with (base / ".writer.lock").open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def events(base: Path | None = None) -> list[dict]:
    path = (base or root()) / "log.jsonl"
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return out
    for line in lines:
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def _append(base: Path, event: str, batch_id: str, by: str, **extra) -> dict:
    record = {"event": event, "batch": batch_id, "by": by, "at": _now(), **extra}
    with (base / "log.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return record


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def statuses(base: Path | None = None) -> dict[str, str]:
    """Each batch's status: the last event that changed it (apply_failed leaves it staged)."""
    out: dict[str, str] = {}
    for e in events(base):
        out[e["batch"]] = "staged" if e["event"] == "apply_failed" else e["event"]
    return out


def applied(base: Path | None = None) -> list[Path]:
    """Folders of the applied batches, in the order they were applied."""
    base = base or root()
    order = [e["batch"] for e in events(base) if e["event"] == "applied"]
    now = statuses(base)
    folders = [batch_dir(b, base) for b in dict.fromkeys(order) if now.get(b) == "applied" and BATCH_ID.match(b)]
    return [f for f in folders if (f / "documents.csv").exists()]  # boundary uploads are not part of the build


def fingerprint(base: Path | None = None) -> str:
    """What the database depends on here: the applied batches and their fact files."""
    digest = hashlib.sha256()
    for folder in applied(base):
        digest.update(folder.name.encode())
        for path in sorted(folder.rglob("*.csv")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def history(base: Path | None = None) -> pd.DataFrame:
    """id, kind, province, rows, who, when, status, file — newest first."""
    base = base or root()
    now = statuses(base)
    rows = []
    for batch_id in dict.fromkeys(e["batch"] for e in events(base)):
        try:
            meta = json.loads((batch_dir(batch_id, base) / "batch.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, DataError):
            continue
        last = [e for e in events(base) if e["batch"] == batch_id][-1]
        rows.append({"id": batch_id, "kind": meta["kind"], "province": meta["province"], "rows": meta["rows"],
                     "by": meta["by"], "at": meta["at"], "status": now[batch_id], "file": meta["file_name"],
                     "changed_by": last["by"], "changed_at": last["at"]})
    return pd.DataFrame(rows, columns=["id", "kind", "province", "rows", "by", "at", "status", "file",
                                       "changed_by", "changed_at"]).iloc[::-1].reset_index(drop=True)


def check(con, path: str | Path, kind: str, province_code: str, file_name: str) -> kinds.Validated:
    """Validate an upload (nothing is written); DataError with every problem."""
    if kind not in kinds.KINDS:
        raise DataError([Problem(excerpt(file_name, 120), None, None, f"loại tệp '{excerpt(kind)}' không có",
                                 f"unknown kind '{excerpt(kind)}' (one of {', '.join(kinds.KINDS)})")])
    return kinds.validate(con, kind, path, province_code, name=file_name)


def preview(con, checked: kinds.Validated, lang: str = "vi") -> dict:
    """The upload against what is loaded: each row new, changed (before → after) or the same; and a summary
    line ("Cam Tân, 10 2024: 40 → 52 triệu đồng; 3 dòng mới; 1 dòng trùng")."""
    kind, rows = checked.kind, checked.rows
    loaded = store.facts(con, kind.table, unit_codes=sorted(set(rows["unit_code"])))
    key = list(kind.key)
    rows = rows.reindex(columns=list(dict.fromkeys([*key, kind.value, "line", "unit", *rows.columns])))
    loaded = loaded.reindex(columns=list(dict.fromkeys([*key, kind.value, "doc_id", "line", "unit", "unit_name"])))
    for frame in (rows, loaded):
        for k in key:
            frame[k] = frame[k].astype(object).where(frame[k].notna(), None).map(
                lambda v: None if v is None else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    last = loaded.drop_duplicates(key, keep="last").set_index(key)
    before, loaded_unit = last[kind.value], last["unit"]
    names = dict(zip(loaded["unit_code"], loaded["unit_name"], strict=False))
    unit_names = store.units(con)[["code", "name"]].set_index("code")["name"]
    labels = {c.key: {v: k for k, v in c.choices.items()} for c in kind.columns if c.choices}  # as the file says
    items = []
    for rec in rows.to_dict("records"):
        k = tuple(rec[c] for c in key)
        old = before.get(k) if k in before.index else None
        new = rec[kind.value]
        status = "new" if k not in before.index else "same" if _same(old, new) else "changed"
        what = " ".join(labels.get(c, {}).get(rec[c], str(rec[c])) for c in key[1:]
                        if rec.get(c) not in (None, "") and c != "set_code")
        measure = loaded_unit.get(k) if k in loaded_unit.index else rec.get("unit")  # as the documents write it
        measure = measure if isinstance(measure, str) else None
        items.append({"line": rec["line"], "unit_code": rec["unit_code"],
                      "unit": names.get(rec["unit_code"]) or unit_names.get(rec["unit_code"], rec["unit_code"]),
                      "what": what, "before": old, "after": new, "unit_of_measure": measure,
                      "status": status})
    counts = {s: sum(i["status"] == s for i in items) for s in ("new", "changed", "same")}
    parts = [f"{i['unit']}, {i['what']}: {shown(i['before'])} → {shown(i['after'])}"
             + (f" {i['unit_of_measure']}" if i["unit_of_measure"] else "") for i in items if i["status"] == "changed"]
    parts += [t("preview_new_rows", lang, n=counts["new"]), t("preview_same_rows", lang, n=counts["same"])]
    return {"items": items, "counts": counts, "summary": "; ".join(parts)}


def _same(old, new) -> bool:
    if old is None or new is None:
        return old is None and new is None
    try:
        return abs(float(old) - float(new)) < 1e-9
    except (TypeError, ValueError):
        return str(old) == str(new)


def shown(value) -> str:
    from ntm.fmt import number

    if value is None or value != value:
        return "–"
    return number(value) if isinstance(value, float) and not float(value).is_integer() else str(
        int(value) if isinstance(value, float) else value)


def stage(con, path: str | Path, kind: str, province_code: str, file_name: str, by: str, note: str = "",
          licence: str = LICENCE, base: Path | None = None, checked: kinds.Validated | None = None) -> str:
    """Validate (unless `checked` is the result of `check` on the same file) and keep an upload as a batch, not
    yet applied; returns its id. Nothing is written when the file is not valid."""
    base = base or root()
    path = Path(path)
    checked = checked or check(con, path, kind, province_code, file_name)
    suffix = suffix_of(file_name) if suffix_of(file_name) != ".bin" else suffix_of(path.name)
    now = datetime.now(UTC)
    batch_id = f"b{now:%Y%m%d}t{now:%H%M%S}-{secrets.token_hex(4)}"
    folder = batch_dir(batch_id, base)
    tmp = base / f".staging-{batch_id}"
    with writer(base):
        tmp.mkdir(parents=True)
        try:
            shutil.copyfile(path, tmp / f"original{suffix}")
            meta = {"id": batch_id, "kind": kind, "table": checked.kind.table, "province": province_code,
                    "file_name": excerpt(file_name, 120), "sha256": _sha256(tmp / f"original{suffix}"),
                    "by": excerpt(by, 60), "at": now.isoformat(timespec="seconds"), "note": excerpt(note, 300),
                    "licence": excerpt(licence, 200), "rows": len(checked.rows)}
            (tmp / "batch.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
            _write_document(tmp, meta, checked)
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _append(base, "staged", batch_id, meta["by"], kind=kind, province=province_code, rows=meta["rows"])
    return batch_id


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_document(folder: Path, meta: dict, checked: kinds.Validated) -> None:
    local = datetime.fromisoformat(meta["at"]).astimezone()
    doc = {"doc_id": meta["id"], "file": f"{meta['id']}/rows.txt", "kind": "import", "issuer": meta["by"],
           "number": meta["id"], "date": local.date().isoformat(),
           "date_text": f"nhập lúc {local:%H:%M %d/%m/%Y}", "title": meta["file_name"],
           "province_code": meta["province"], "district_code": "", "note": meta["note"]}
    with (folder / "documents.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=DOC_COLUMNS)
        w.writeheader()
        w.writerow(doc)
    sheet = checked.sheet
    lines = [""] * max(sheet.numbers)
    lines[0] = " | ".join(sheet.columns)
    for number, cells in zip(sheet.numbers, sheet.rows, strict=True):
        lines[number - 1] = " | ".join("" if c is None else kinds._shown(c) for c in cells)
    (folder / "rows.txt").write_text("\n".join(" ".join(x.split()) for x in lines) + "\n", encoding="utf-8")
    facts = folder / "facts" / checked.kind.table
    facts.mkdir(parents=True)
    section = f"{'trang tính ' + sheet.name if sheet.name else 'tệp'} {meta['file_name']}"
    frame = checked.rows.assign(doc_id=meta["id"], section=section)
    columns = FACT_COLUMNS[checked.kind.table]
    frame.reindex(columns=columns).to_csv(facts / f"{meta['id']}.csv", index=False, encoding="utf-8")


FACT_COLUMNS = {
    "recognitions": ["unit_code", "unit_name_original", "level", "year", "kind", "decision", "doc_id", "line",
                     "section", "original_text", "note"],
    "targets": ["unit_code", "unit_name_original", "target_year", "set_code", "measure", "category", "value",
                "value_max", "denominator", "unit", "comparator", "doc_id", "line", "section", "original_text",
                "note"],
    "funding": ["unit_code", "unit_name_original", "year", "source", "capital_type", "kind", "item", "amount_mvnd",
                "doc_id", "line", "section", "original_text", "note"],
    "indicator_values": ["unit_code", "unit_name_original", "set_code", "indicator_code", "year", "value",
                         "value_text", "unit", "doc_id", "line", "section", "original_text", "note"],
}


def _rebuild(db: Path) -> None:
    from ntm import loader

    loader.build(db, paths.data_dir())


def apply(batch_id: str, by: str, db: Path | None = None, base: Path | None = None) -> None:
    """Apply a staged batch: log it and rebuild. A failed rebuild is logged (`apply_failed`), the batch goes back
    to staged and the database stays byte-identical; the DataError is raised."""
    base = base or root()
    batch_dir(batch_id, base)
    with writer(base):
        _expect(base, batch_id, "staged")
        _append(base, "applied", batch_id, by)
        try:
            _rebuild(db or paths.db_path())
        except (DataError, OSError) as exc:
            reason = exc.problems[:5] if isinstance(exc, DataError) else [str(exc)]
            _append(base, "apply_failed", batch_id, by, reason=[str(p) for p in reason])
            raise


def discard(batch_id: str, by: str, base: Path | None = None) -> None:
    base = base or root()
    batch_dir(batch_id, base)
    with writer(base):
        _expect(base, batch_id, "staged")
        _append(base, "discarded", batch_id, by)


def undo(batch_id: str, by: str, db: Path | None = None, base: Path | None = None) -> None:
    """Mark an applied batch reverted and rebuild without it; the batch and its history stay."""
    base = base or root()
    batch_dir(batch_id, base)
    with writer(base):
        _expect(base, batch_id, "applied")
        if not (batch_dir(batch_id, base) / "documents.csv").exists():
            raise DataError([Problem("imports", None, None, "ranh giới được gỡ trên trang Bản đồ",
                                     "boundaries are removed on the Map page")])
        _append(base, "reverted", batch_id, by)
        _rebuild(db or paths.db_path())


def record_boundaries(province_code: str, data: bytes, file_name: str, by: str, communes: int, source: str,
                      licence: str, base: Path | None = None) -> str:
    """A boundary upload saved by ntm.boundaries (var/boundaries), kept in the same history: a batch of kind
    `boundaries` with the original file and its SHA-256; earlier boundary batches of the province are marked
    reverted (replaced). It is not part of the database build."""
    base = base or root()
    now = datetime.now(UTC)
    batch_id = f"b{now:%Y%m%d}t{now:%H%M%S}-{secrets.token_hex(4)}"
    suffix = suffix_of(file_name, (".geojson", ".json", ".zip", ".gpkg"))
    with writer(base):
        folder = batch_dir(batch_id, base)
        folder.mkdir(parents=True)
        (folder / f"original{suffix}").write_bytes(data)
        meta = {"id": batch_id, "kind": "boundaries", "table": None, "province": province_code,
                "file_name": excerpt(file_name, 120), "sha256": hashlib.sha256(data).hexdigest(),
                "by": excerpt(by, 60), "at": now.isoformat(timespec="seconds"), "note": "", "rows": communes,
                "source": excerpt(source, 300), "licence": excerpt(licence, 200)}
        (folder / "batch.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        remove_boundaries(province_code, by, base, locked=True)
        _append(base, "staged", batch_id, meta["by"], kind="boundaries", province=province_code, rows=communes)
        _append(base, "applied", batch_id, meta["by"])
    return batch_id


def remove_boundaries(province_code: str, by: str, base: Path | None = None, locked: bool = False) -> None:
    """Mark the province's applied boundary batches reverted (the boundaries were removed or replaced)."""
    base = base or root()
    with contextlib.nullcontext() if locked else writer(base):
        history_now = history(base)
        for batch_id in history_now.loc[(history_now["kind"] == "boundaries") & (history_now["status"] == "applied")
                                        & (history_now["province"] == province_code), "id"]:
            _append(base, "reverted", batch_id, by)


def _expect(base: Path, batch_id: str, status: str) -> None:
    now = statuses(base).get(batch_id)
    if now != status:
        raise DataError([Problem("imports", None, None, f"lô {batch_id} đang ở trạng thái '{now}', cần '{status}'",
                                 f"batch {batch_id} is '{now}', expected '{status}'")])
