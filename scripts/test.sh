#!/usr/bin/env bash
# Run every test suite, each in its own pytest process so that one suite's
# state (databases, queues, threads) cannot leak into another's.
#
# The fast ones first: every service's tests/unit (no database, no network),
# then libs/common and every service's tests/service (real PostgreSQL and
# RabbitMQ), then the whole-system suites. A service that has not split its
# tests yet (no tests/unit) runs its whole tests/ with the service suites.
#
# TEST_WORKERS=2 runs tests/integration on two pytest workers (pytest-xdist; by
# default, 0, it runs in one process): its tests spend most of their time waiting
# on other processes (a stack's services, the broker, timers), so a second
# worker fills that time. Each worker has its own stack (databases, bus prefix,
# reserved ports). Two stacks need some 80 of PostgreSQL's connections: with
# fewer free (a server shared with other runs) the suite runs in one process.
set -uo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/pytest -q)
WORKERS=${TEST_WORKERS:-0}

# Connections PostgreSQL can still open (0 when it cannot be asked).
free_connections() {
  .venv/bin/python -c 'import psycopg; from common.testing import POSTGRES_ADMIN_URL as url
with psycopg.connect(url, connect_timeout=5) as c:
    print(c.execute("SELECT current_setting($$max_connections$$)::int - count(*) FROM pg_stat_activity").fetchone()[0])' 2> /dev/null || echo 0
}

# How a suite is spread over the workers (nothing for a suite run in one process).
parallel_options() {
  [ "$WORKERS" -gt 0 ] && [ "$1" = tests/integration ] || return 0
  if [ "$(free_connections)" -lt 80 ]; then
    echo "(PostgreSQL has fewer than 80 free connections: $1 runs in one process)" >&2
    return 0
  fi
  # One module per unit of work (its module fixtures made once); the modules with
  # stacks of their own together and first (tests/integration/conftest.py).
  echo "-n $WORKERS --dist loadgroup --no-loadscope-reorder"
}
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
for tests in tests/contract tests/fuzz tests/integration tests/faults tests/e2e; do
  if compgen -G "$tests/test_*.py" > /dev/null; then system+=("$tests"); fi
done
suites=("${unit[@]}" "${service[@]}" "${system[@]}")
failed=()
for suite in "${suites[@]}"; do
  echo "=== $suite"
  # shellcheck disable=SC2046,SC2086 # a split service's parts run as one suite, and the options, word-split on purpose
  "${PYTEST[@]}" $(parallel_options "$suite") $suite || failed+=("$suite")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed: ${suites[*]}"
