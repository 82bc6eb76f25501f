#!/usr/bin/env bash
# Build the third-party wheels every service image installs (deploy/wheels).
#
# The images install with `pip install --no-index --find-links /wheels`, so a
# build needs no package index inside a container: the host's pip (with the
# host's network and certificates) fetches and builds them here. The project's
# own packages are not among them: each image installs those from source.
# Safe to run again: pip reuses what is already in the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
out=deploy/wheels
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3
requirements=$(mktemp)
trap 'rm -f "$requirements"' EXIT
# The third-party requirements of libs/* and services/* (local names left out),
# plus what an editable install without build isolation needs.
"$python" - > "$requirements" << 'PY'
import glob, re, tomllib
projects = [tomllib.load(open(p, "rb"))["project"] for p in
            sorted(glob.glob("libs/*/pyproject.toml") + glob.glob("services/*/pyproject.toml"))]
local = {re.sub(r"[-_.]+", "-", p["name"]).lower() for p in projects}
wanted = {"setuptools>=68", "wheel"}
for project in projects:
    for requirement in project.get("dependencies", []):
        name = re.split(r"[\s\[<>=!~;@(]", requirement, maxsplit=1)[0]
        if re.sub(r"[-_.]+", "-", name).lower() not in local:
            wanted.add(requirement)
print("\n".join(sorted(wanted)))
PY
mkdir -p "$out"
started=$SECONDS
"$python" -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$out" -r "$requirements"
echo "wheelhouse: $(ls "$out"/*.whl | wc -l) wheels in $out ($((SECONDS - started))s)"
