#!/usr/bin/env bash
# Run every test suite, each in its own pytest process so that one suite's
# state (databases, queues, threads) cannot leak into another's.
#
# The fast ones first: every service's tests/unit (no database, no network),
# then libs/common and every service's tests/service (real PostgreSQL and
# RabbitMQ), then the whole-system suites. A service that has not split its
# tests yet (no tests/unit) runs its whole tests/ with the service suites.
set -uo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/pytest -q)
unit=()
service=(libs/common/tests)
for tests in services/*/tests; do
  if [ -d "$tests/unit" ]; then
    unit+=("$tests/unit")
    # Anything beside unit/ (service/, or tests not moved yet) runs after it.
    rest=()
    for part in "$tests"/*; do
      [ "$part" = "$tests/unit" ] && continue
      case "$part" in */conftest.py|*/__pycache__) continue ;; esac
      if [ -d "$part" ] || [[ "$part" == */test_*.py ]]; then rest+=("$part"); fi
    done
    [ ${#rest[@]} -gt 0 ] && service+=("${rest[*]}")
  else
    service+=("$tests")
  fi
done
system=()
for tests in tests/contract tests/integration tests/faults tests/e2e; do
  if compgen -G "$tests/test_*.py" > /dev/null; then system+=("$tests"); fi
done
suites=("${unit[@]}" "${service[@]}" "${system[@]}")
failed=()
for suite in "${suites[@]}"; do
  echo "=== $suite"
  # shellcheck disable=SC2086 # a split service's parts run as one suite, word-split on purpose
  "${PYTEST[@]}" $suite || failed+=("$suite")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed: ${suites[*]}"
