# Cổng HTX: `make run` to try it, `make test` to check it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz lint format worker beat migrate demo clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo "Cổng HTX: http://$(HOST):$(PORT)/  (quản trị: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Every property test (marker `property`) with random seeds and FUZZ_FACTOR times its examples (tests/properties.py):
# about 10 minutes on PostgreSQL at the default factor.
# A failure prints the example: add it to the test as @example so `make test` keeps it.
FUZZ_FACTOR ?= 12
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_FACTOR=$(FUZZ_FACTOR) $(BIN)/pytest -m property -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(STAMP)
	$(BIN)/celery -A config worker --loglevel=INFO

# Periodic tasks, with a broker only (without one tasks run in-process and nothing needs a beat). The schedule and
# its lock live in Redis (celery-redbeat): a second `make beat` waits as a standby and takes over when the first stops.
beat: $(STAMP)
	@test -n "$$CELERY_BROKER_URL" || { echo "make beat: set CELERY_BROKER_URL (without a broker no beat is needed)"; exit 1; }
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .test_db.sqlite3

# --- make bench: the portal under load against a bare Django view; see ops/bench/run.sh for the options.
.PHONY: bench
bench: $(STAMP)
	bash ops/bench/run.sh

# --- make loadtest: 32 connections for LOAD_SECONDS (default 60) against gunicorn with production
# settings on PostgreSQL and Redis (PORTAL_LOAD_REDIS_DB, default 6): no error, no lost write. See tests/security/test_under_load.py.
.PHONY: loadtest
loadtest: $(STAMP)
	PORTAL_LOAD_SECONDS=$${LOAD_SECONDS:-60} \
	DATABASE_URL=$${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/htx_load} \
	$(BIN)/pytest tests/security/test_under_load.py -q -s --create-db

# --- make test-hosts: several hosts on this machine (tests/hosts): a PostgreSQL primary and a replica 2 s behind,
# SeaweedFS as S3, two gunicorn hosts behind nginx, two Celery workers, two beats. Not part of `make test` (it starts
# about twenty processes); Redis is PORTAL_TEST_REDIS, databases 2-4 (PORTAL_HOSTS_REDIS_DB), which it flushes.
.PHONY: test-hosts
test-hosts: $(STAMP)
	PORTAL_TEST_HOSTS=1 $(BIN)/pytest tests/hosts -q -s --durations=0 $(PYTEST_ARGS)
