#!/usr/bin/env bash
# Set up (first time) and run the whole test suite: lint, types, unit, AppTest and browser (Debian Chromium) tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's chromium for the browser tests, LibreOffice Writer (no GUI) for the report as PDF (~82 MB download,
# ~250 MB installed, ~25 s to install) and Liberation Serif (Times New Roman's metrics, so that the PDF is laid
# out as Word lays out the .docx; 1.5 MB): installed only when missing.
missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
command -v soffice >/dev/null || missing="$missing libreoffice-writer-nogui"
[ "$(fc-match -f "%{family}" "Liberation Serif" 2>/dev/null)" = "Liberation Serif" ] || missing="$missing fonts-liberation2"
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086  # the package names split on purpose
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
bash scripts/setup.sh requirements-dev.txt
.venv/bin/ruff check .
PYRIGHT_PYTHON_IGNORE_WARNINGS=1 .venv/bin/pyright  # types of ntm/ ([tool.pyright] in pyproject.toml); no version check online
.venv/bin/python -m pytest "$@"
