#!/usr/bin/env bash
# Create .venv and install every package of the tree into it (editable).
# Safe to run again: it only installs what changed.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
inputs=$(cat requirements-dev.txt libs/common/pyproject.toml services/*/pyproject.toml | sha1sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ]; then
  exit 0
fi
.venv/bin/pip install --quiet --upgrade pip
packages=(-e libs/common)
for service in services/*/; do
  packages+=(-e "${service%/}")
done
.venv/bin/pip install --quiet -r requirements-dev.txt "${packages[@]}"
echo "$inputs" > "$stamp"
