"""Where things live: the data folder and the database file (overridable by --db or NTM_DB)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_DB = ROOT / "var" / "ntm.duckdb"
DB_ENV = "NTM_DB"
DATA_ENV = "NTM_DATA"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database path: the explicit argument, else $NTM_DB, else var/ntm.duckdb."""
    if explicit:
        return Path(explicit)
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return DEFAULT_DB


def data_dir() -> Path:
    """The source folder: $NTM_DATA (another copy of data/, e.g. an office's staging copy or a test's) or data/."""
    return Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else DATA_DIR
