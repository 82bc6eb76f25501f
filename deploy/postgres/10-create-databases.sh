#!/usr/bin/env bash
# Create one database per service, run once by the postgres image on its first
# start (files in /docker-entrypoint-initdb.d run only while the data volume is empty).
#
# LICENSING_DATABASES (set in docker-compose.yml) lists the databases, separated
# by spaces or commas. Creating a database that already exists is skipped, so the
# script is also safe to run by hand against a running server:
#   docker compose exec -e LICENSING_DATABASES=licensing_orders postgres \
#     bash /docker-entrypoint-initdb.d/10-create-databases.sh
set -euo pipefail

databases="${LICENSING_DATABASES:?LICENSING_DATABASES must list the databases to create}"
user="${POSTGRES_USER:-postgres}"

for database in ${databases//,/ }; do
  if [[ ! "$database" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "create-databases: refusing unsafe database name '$database'" >&2
    exit 1
  fi
  exists=$(psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$database'")
  if [ "$exists" = "1" ]; then
    echo "create-databases: $database exists"
  else
    psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -c "CREATE DATABASE \"$database\""
    echo "create-databases: created $database"
  fi
done
