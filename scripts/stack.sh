#!/usr/bin/env bash
# `make stack`: every installed service as its own processes (gunicorn web, and
# worker where it has one) under honcho, on the RabbitMQ and PostgreSQL of the
# environment (default: localhost).
#
#   scripts/stack.sh [start [process...]]
#                              create missing databases, migrate, run every process
#                              (or only the named ones, e.g. catalog-web catalog-worker)
#   scripts/stack.sh seed      create missing databases, migrate, seed demo data
#                              (each service's `<name>.seed` entry point, in start order)
#   scripts/stack.sh procfile  print the generated Procfile
#
# Services are found through the `licensing.services` entry-point group (their
# web, worker, migrate and seed entries), ports come from
# common.launcher.DEFAULT_PORTS (override with <NAME>_PORT), so a new service
# needs no edit here.
#
# Configuration, first found wins: the process environment, .env, computed
# defaults (<NAME>_DATABASE_URL = postgresql://postgres@127.0.0.1:5432/licensing_<name>,
# <NAME>_URL = http://127.0.0.1:<port>), then .env.example. Empty values are skipped.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
STATE_DIR="$ROOT/var/stack"
PROCFILE="$STATE_DIR/Procfile"

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

[ -x "$PY" ] || die "$PY is missing: run 'make venv' first"
export PATH="$VENV/bin:$PATH"

# Export KEY=VALUE lines of a dotenv file for keys that are still unset.
load_env_file() {
  local file=$1 line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[2]}
    value=${BASH_REMATCH[3]}
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then
      value=${BASH_REMATCH[1]}
    fi
    if [ -z "$value" ] || [ -n "${!key:-}" ]; then
      continue
    fi
    export "$key=$value"
  done < "$file"
}

# One line per installed service, in start order (a seed may rely on earlier services):
# name port web-target worker-module migrate-module ("-" where absent).
service_plan() {
  "$PY" - <<'PYTHON'
import os
import sys
from importlib.metadata import entry_points

from common.launcher import DEFAULT_PORTS, ENTRY_POINT_GROUP, START_ORDER

roles: dict[str, dict[str, str]] = {}
for entry in entry_points(group=ENTRY_POINT_GROUP):
    service, _, role = entry.name.partition(".")
    roles.setdefault(service, {})[role] = entry.value
rank = {name: index for index, name in enumerate(START_ORDER)}
for service in sorted(roles, key=lambda name: (rank.get(name, len(rank)), name)):
    parts = roles[service]
    port = os.environ.get(f"{service.upper()}_PORT") or DEFAULT_PORTS.get(service)
    if port is None:
        sys.exit(
            f"stack: {service} has no port: add it to common.launcher.DEFAULT_PORTS "
            f"or set {service.upper()}_PORT"
        )
    web = parts.get("web")
    module = {role: parts[role].partition(":")[0] for role in ("worker", "migrate") if role in parts}
    print(
        service,
        port,
        f"{web}()" if web else "-",
        module.get("worker", "-"),
        module.get("migrate", "-"),
    )
PYTHON
}

# Create each PostgreSQL database named by the URLs given, unless it exists.
create_databases() {
  "$PY" - "$@" <<'PYTHON'
import re
import sys

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

for url in sys.argv[1:]:
    if not url.startswith("postgresql"):
        continue  # e.g. sqlite: nothing to create
    url = re.sub(r"^postgresql\+\w+://", "postgresql://", url)
    name = conninfo_to_dict(url).get("dbname")
    if not name:
        sys.exit(f"stack: {url} names no database")
    admin = make_conninfo(url, dbname="postgres", connect_timeout=5)
    try:
        connection = psycopg.connect(admin, autocommit=True)
    except psycopg.OperationalError as exc:
        sys.exit(
            f"stack: PostgreSQL is not reachable for {name} ({exc}); start it with: "
            "pg_ctlcluster --skip-systemctl-redirect 15 main start"
        )
    with connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"stack: created database {name}")
PYTHON
}

# Call every `<name>.seed` entry point, as the one-process launcher does, and
# print what they return (how to sign in to the demo accounts).
seed_all() {
  "$PY" - <<'PYTHON'
from importlib.metadata import entry_points

from common.launcher import ENTRY_POINT_GROUP, START_ORDER

seeds = {}
for entry in entry_points(group=ENTRY_POINT_GROUP):
    service, _, role = entry.name.partition(".")
    if role == "seed":
        seeds[service] = entry
rank = {name: index for index, name in enumerate(START_ORDER)}
for service in sorted(seeds, key=lambda name: (rank.get(name, len(rank)), name)):
    print(f"stack: seeding {service} ({seeds[service].value})", flush=True)
    for line in seeds[service].load()() or []:
        print(line, flush=True)
PYTHON
}

require_rabbitmq() {
  "$PY" - <<'PYTHON'
import os
import socket
import sys
from urllib.parse import urlsplit

url = os.environ["BUS_URL"]
parts = urlsplit(url)
if parts.scheme not in {"amqp", "amqps"}:
    sys.exit(f"stack: BUS_URL must be an amqp:// URL for `make stack`, not {url!r}")
host, port = parts.hostname or "127.0.0.1", parts.port or (5671 if parts.scheme == "amqps" else 5672)
try:
    socket.create_connection((host, port), timeout=5).close()
except OSError as exc:
    sys.exit(
        f"stack: RabbitMQ is not reachable at {host}:{port} ({exc}); "
        "start it with: rabbitmq-server -detached"
    )
PYTHON
}

# Read the plan into parallel arrays and complete the environment.
prepare() {
  local plan name port web worker migrate upper url_var db_var port_var
  load_env_file "$ROOT/.env"
  plan=$(service_plan)
  [ -n "$plan" ] || die "no service is installed: run 'make venv' first"
  NAMES=() PORTS=() WEBS=() WORKERS=() MIGRATES=()
  while read -r name port web worker migrate; do
    NAMES+=("$name") PORTS+=("$port") WEBS+=("$web") WORKERS+=("$worker")
    MIGRATES+=("$migrate")
    upper=${name^^}
    db_var="${upper}_DATABASE_URL" url_var="${upper}_URL" port_var="${upper}_PORT"
    if [ -z "${!db_var:-}" ]; then
      export "$db_var=postgresql://postgres@127.0.0.1:5432/licensing_$name"
    fi
    if [ -z "${!url_var:-}" ]; then
      export "$url_var=http://127.0.0.1:$port"
    fi
    if [ -z "${!port_var:-}" ]; then
      export "$port_var=$port"
    fi
  done <<< "$plan"
  load_env_file "$ROOT/.env.example"
  export BUS_URL="${BUS_URL:-amqp://guest:guest@127.0.0.1:5672/%2F}"

  local dir known=" ${NAMES[*]} "
  for dir in "$ROOT"/services/*/; do
    dir=$(basename "$dir")
    if [[ "$known" != *" $dir "* ]]; then
      say "warning: services/$dir has no licensing.services entry point in the venv (run 'make venv')"
    fi
  done
}

migrate_all() {
  local urls=() index db_var
  for index in "${!NAMES[@]}"; do
    db_var="${NAMES[$index]^^}_DATABASE_URL"
    urls+=("${!db_var}")
  done
  create_databases "${urls[@]}"
  for index in "${!NAMES[@]}"; do
    if [ "${MIGRATES[$index]}" != "-" ]; then
      say "migrating ${NAMES[$index]} (python -m ${MIGRATES[$index]})"
      "$PY" -m "${MIGRATES[$index]}"
    fi
  done
}

write_procfile() {
  local index name
  mkdir -p "$STATE_DIR"
  {
    echo "# Generated by scripts/stack.sh from the licensing.services entry points; do not edit."
    for index in "${!NAMES[@]}"; do
      name=${NAMES[$index]}
      if [ "${WEBS[$index]}" != "-" ]; then
        echo "$name-web: gunicorn -w 1 -k gthread --threads 8 --keep-alive 30 -b 127.0.0.1:${PORTS[$index]} --access-logfile - '${WEBS[$index]}'"
      fi
      if [ "${WORKERS[$index]}" != "-" ]; then
        echo "$name-worker: python -m ${WORKERS[$index]}"
      fi
    done
  } > "$PROCFILE"
}

command=${1:-start}
case "$command" in
  start)
    prepare
    require_rabbitmq
    migrate_all
    write_procfile
    gateway_port=${GATEWAY_PORT:-8000}
    say "the licensing store is starting at http://127.0.0.1:$gateway_port/"
    for index in "${!NAMES[@]}"; do
      say "  ${NAMES[$index]}: http://127.0.0.1:${PORTS[$index]}/ (docs at /docs)"
    done
    say "demo data: 'make seed' in another terminal; Ctrl-C stops everything"
    # honcho gets the complete environment from us, not from its own .env reading.
    exec "$VENV/bin/honcho" start --no-colour -f "$PROCFILE" -e /dev/null "${@:2}"
    ;;
  seed)
    prepare
    migrate_all
    seed_all
    ;;
  procfile)
    prepare
    write_procfile
    cat "$PROCFILE"
    ;;
  *)
    die "unknown command '$command' (use: start, seed or procfile)"
    ;;
esac
