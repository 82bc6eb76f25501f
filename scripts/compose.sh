#!/usr/bin/env bash
# docker compose (v2 plugin, else v1 docker-compose) with the images of this machine:
# build/images.env (written by scripts/base-image.sh) names local stand-ins for
# images that could not be pulled; a variable already set in the environment or
# in .env wins over it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f build/images.env ]; then
  while IFS='=' read -r name value; do
    if [ -z "${!name:-}" ] && ! grep -qE "^${name}=.+" .env 2> /dev/null; then
      export "$name=$value"
    fi
  done < build/images.env
fi
if docker compose version > /dev/null 2>&1; then
  exec docker compose "$@"
fi
exec docker-compose "$@"
