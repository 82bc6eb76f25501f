#!/usr/bin/env bash
# `make compose-test`: the whole-system suite (tests/integration) against the
# docker compose stack, every worker with two replicas.
#
# Up (docker-compose.yml + docker-compose.test.yml, project licensing-test), wait
# for every healthcheck, run pytest with COMPOSE_STACK=1 (the harness talks to the
# published ports on 127.0.0.1), and take the stack down with its volumes, also
# on failure or interrupt. The images must exist: `make images` first.
set -euo pipefail
cd "$(dirname "$0")/.."
project=licensing-test
compose=(bash scripts/compose.sh -p "$project" -f docker-compose.yml -f docker-compose.test.yml)
replicas=${WORKER_REPLICAS:-2}
wait_seconds=${COMPOSE_WAIT_SECONDS:-600}
started=$SECONDS

say() { printf '\n=== compose-test: %s (%ss)\n' "$*" "$((SECONDS - started))"; }

teardown() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    "${compose[@]}" ps || true
    "${compose[@]}" logs --no-color --tail=40 || true
  fi
  say "down"
  "${compose[@]}" down -v --remove-orphans > /dev/null 2>&1 || true
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

scale=()
for worker in $("${compose[@]}" config --services | grep -- '-worker$'); do
  scale+=(--scale "$worker=$replicas")
done
say "up, workers x$replicas"
# docker-compose gives up on `up` as soon as a dependency's healthcheck fails
# once too often (a slow probe on a busy machine); what it started stays up,
# so asking again carries on from there.
for attempt in 1 2 3; do
  "${compose[@]}" up -d --no-build "${scale[@]}" && break
  [ "$attempt" -lt 3 ] || exit 1
  say "up again (attempt $((attempt + 1)))"
  sleep 10
done

# Every container healthy, every one-shot exited 0.
say "waiting for every healthcheck"
deadline=$((SECONDS + wait_seconds))
while :; do
  waiting=()
  for id in $("${compose[@]}" ps -q); do
    read -r name state health code < <(docker inspect --format \
      '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.ExitCode}}' "$id")
    case "$state/$health" in
      running/healthy) ;;
      exited/*) [ "$code" = 0 ] || { echo "$name exited with $code" >&2; exit 1; } ;;
      *) waiting+=("$name:$state/$health") ;;
    esac
  done
  [ ${#waiting[@]} -eq 0 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "not healthy after ${wait_seconds}s: ${waiting[*]}" >&2
    exit 1
  fi
  sleep 3
done
say "healthy"

export COMPOSE_STACK=1 COMPOSE_PROJECT_NAME=$project
export TEST_RABBITMQ_URL='amqp://licensing:licensing@127.0.0.1:15673/%2F'
export TEST_POSTGRES_URL='postgresql://postgres:postgres@127.0.0.1:15432/postgres'
.venv/bin/pytest -p no:cacheprovider -q tests/integration "$@"
say "suite passed"
