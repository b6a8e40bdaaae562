"""Shared fixtures: one database built from data/ for the whole session, in a temporary folder."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from ntm import loader, store

# tests never read or write the working copy's import batches (var/imports)
os.environ["NTM_IMPORTS"] = tempfile.mkdtemp(prefix="ntm-imports-")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "ntm.duckdb"
    os.environ["NTM_CACHE"] = str(tmp_path_factory.mktemp("cache"))  # results kept per build, never the repo's var/
    loader.build(path)
    os.environ["NTM_DB"] = str(path)  # the app and the CLI under test use this database
    return path


@pytest.fixture(scope="session")
def con(db_path):
    connection = store.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def shown(markdown: str) -> str:
    """What a reader sees of a markdown element whose data text was escaped (ui.literal)."""
    return re.sub(r"\\(.)", r"\1", markdown)
