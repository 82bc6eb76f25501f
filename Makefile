# The commands of the licensing store. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
# Compose v2 is a docker plugin; fall back to the v1 command where only that is installed.
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo 'docker compose' || echo docker-compose)

.PHONY: help
help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt libs/common/pyproject.toml $(wildcard services/*/pyproject.toml)
	@bash scripts/bootstrap.sh

node_modules/.package-lock.json: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error

.PHONY: venv
venv: $(VENV)/.installed ## Create the virtual environment and install every package

.PHONY: run
run: venv ## Whole system in one process: SQLite, in-memory bus, demo data, http://localhost:8000
	@$(VENV)/bin/licensing-run

.PHONY: stack
stack: venv ## Every service as gunicorn web + worker on RabbitMQ and PostgreSQL (honcho)
	@bash scripts/stack.sh

.PHONY: images
images: ## Every service's image (wheelhouse on the host; local base images where none can be pulled)
	@bash scripts/wheelhouse.sh
	@bash scripts/base-image.sh
	@bash scripts/compose.sh build

.PHONY: up
up: images ## The same under docker compose, on http://127.0.0.1:8000
	@bash scripts/compose.sh up -d --no-build

.PHONY: down
down: ## Stop the docker compose stack
	@bash scripts/compose.sh down

.PHONY: compose-test
compose-test: images ## tests/integration against the compose stack, workers x2; torn down after
	@bash scripts/compose-test.sh

.PHONY: seed
seed: venv ## Seed demo data into the databases of `make stack`
	@bash scripts/stack.sh seed

.PHONY: lint
lint: venv ## ruff (lint + format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	MYPYPATH=$(subst $(eval) ,:,libs/common $(wildcard services/*)) $(VENV)/bin/mypy -p common $(foreach s,$(wildcard services/*),-p $(notdir $(s)))

.PHONY: fmt
fmt: venv ## Format and auto-fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: test
test: venv node_modules/.package-lock.json lint ## Every test: lint, unit, service, contract, fuzz (bounded), integration, faults, browser
	@bash scripts/test.sh

.PHONY: faults
faults: venv ## The long fault suite: 200 applications through every fault, then mixed rounds, checked by the oracle
	FAULT_APPLICATIONS=$${FAULT_APPLICATIONS:-200} FAULT_MIXED_ROUNDS=$${FAULT_MIXED_ROUNDS:-5} $(VENV)/bin/python -m pytest -q tests/faults -p no:randomly

.PHONY: fuzz
fuzz: venv ## Fuzz every service's OpenAPI without make test's bound (FUZZ_EXAMPLES, default 200; FUZZ_SEED, default a fresh one, printed)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} FUZZ_SEED=$${FUZZ_SEED:-random} $(VENV)/bin/pytest -q -s --timeout=0 tests/fuzz

.PHONY: messages
messages: venv ## The gateway's texts: extract the keys, update the zh_CN and en catalogs, compile them
	@cd services/gateway && pot=$$(mktemp --suffix=.pot) && trap 'rm -f "$$pot"' EXIT \
	  && ../../$(VENV)/bin/pybabel -q extract -F babel.cfg -k translate -k _t --no-location --sort-output --no-wrap \
	       --project=licensing-gateway -o "$$pot" . \
	  && ../../$(VENV)/bin/pybabel -q update -i "$$pot" -d translations --no-fuzzy-matching --no-wrap \
	  && ../../$(VENV)/bin/pybabel compile -d translations --statistics

.PHONY: bench
bench: venv ## Benchmarks against bare baselines; writes bench/results.json and docs/benchmarks.md
	@bash scripts/bench-tools.sh
	$(PY) -m bench.run
