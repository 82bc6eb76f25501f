#!/usr/bin/env bash
# Make sure the load generator the benchmarks use is on this machine: `make bench`
# must work on a fresh clone. wrk comes from Debian's packages; installing it
# needs root or passwordless sudo, and is skipped when it is already there.
set -euo pipefail
if command -v wrk > /dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
  as_root=(sudo -n)
else
  echo "bench: wrk is missing and cannot be installed without root; install Debian's wrk package" >&2
  exit 1
fi
if ! command -v apt-get > /dev/null; then
  echo "bench: wrk is missing; install it with your system's package manager" >&2
  exit 1
fi
echo "bench: installing wrk"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends wrk > /dev/null
command -v wrk > /dev/null
