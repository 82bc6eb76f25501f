#!/usr/bin/env bash
# Run every test suite, each in its own pytest process so that one suite's
# state (databases, queues, threads) cannot leak into another's.
set -uo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/pytest -q)
suites=(libs/common/tests)
for tests in services/*/tests; do suites+=("$tests"); done
for tests in tests/contract tests/integration tests/faults tests/e2e; do
  if compgen -G "$tests/test_*.py" > /dev/null; then suites+=("$tests"); fi
done
failed=()
for suite in "${suites[@]}"; do
  echo "=== $suite"
  "${PYTEST[@]}" "$suite" || failed+=("$suite")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed: ${suites[*]}"
