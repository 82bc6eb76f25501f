#!/usr/bin/env bash
# Make the images docker-compose.yml starts from available on this machine.
#
# Where the standard images (python:3.11-slim, rabbitmq:3-management,
# postgres:15) can be pulled, nothing is built. Where they cannot (no registry
# reachable), local stand-ins are built from Debian bookworm's own packages:
#   licensing/python:3.11-bookworm-local  debootstrap + docker import, python3 + venv
#   licensing/rabbitmq:local              rabbitmq-server, management plugin on
#   licensing/postgres:local              postgresql-15, initdb on first start
# and the variables to use them are written to build/images.env, which the
# Makefile passes to docker-compose (BASE_IMAGE, RABBITMQ_IMAGE, POSTGRES_IMAGE).
# Idempotent: an image that exists is kept. Needs root (debootstrap) and dockerd.
set -euo pipefail
cd "$(dirname "$0")/.."

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
LOCAL_BASE=licensing/python:3.11-bookworm-local
LOCAL_RABBITMQ=licensing/rabbitmq:local
LOCAL_POSTGRES=licensing/postgres:local
ENV_FILE=build/images.env
PULL_SECONDS=${PULL_SECONDS:-30}

log() { printf 'base-image: %s\n' "$*" >&2; }
have() { docker image inspect "$1" > /dev/null 2>&1; }

# Echo $1 when it is here or can be pulled, else nothing.
pulled() {
  if have "$1" || timeout "$PULL_SECONDS" docker pull -q "$1" > /dev/null 2>&1; then
    echo "$1"
  fi
}

build_base() {
  have "$LOCAL_BASE" && return
  local started=$SECONDS root
  root=$(mktemp -d /tmp/bookworm-rootfs.XXXXXX)
  trap 'rm -rf "$root"' RETURN
  log "debootstrap bookworm into $root"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$root" "$MIRROR" > build/debootstrap.log 2>&1 \
    || { tail -n 20 build/debootstrap.log >&2; return 1; }
  # Slim like the official image: no package lists, docs or locales.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/usr/share/locale/* "$root"/var/cache/apt/*.bin
  ln -sf python3 "$root/usr/bin/python"
  tar -C "$root" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$LOCAL_BASE" > /dev/null
  log "$LOCAL_BASE imported ($((SECONDS - started))s)"
}

build_local() {  # tag, folder under deploy/images
  have "$1" && return
  local started=$SECONDS
  docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$1" "deploy/images/$2" > /dev/null
  log "$1 built ($((SECONDS - started))s)"
}

mkdir -p build
BASE_IMAGE=$(pulled python:3.11-slim)
if [ -z "$BASE_IMAGE" ]; then
  build_base
  BASE_IMAGE=$LOCAL_BASE
fi
RABBITMQ_IMAGE=$(pulled rabbitmq:3-management)
if [ -z "$RABBITMQ_IMAGE" ]; then
  build_local "$LOCAL_RABBITMQ" rabbitmq
  RABBITMQ_IMAGE=$LOCAL_RABBITMQ
fi
POSTGRES_IMAGE=$(pulled postgres:15)
if [ -z "$POSTGRES_IMAGE" ]; then
  build_local "$LOCAL_POSTGRES" postgres
  POSTGRES_IMAGE=$LOCAL_POSTGRES
fi
printf 'BASE_IMAGE=%s\nRABBITMQ_IMAGE=%s\nPOSTGRES_IMAGE=%s\n' \
  "$BASE_IMAGE" "$RABBITMQ_IMAGE" "$POSTGRES_IMAGE" > "$ENV_FILE"
log "images: $(tr '\n' ' ' < "$ENV_FILE")(in $ENV_FILE)"
