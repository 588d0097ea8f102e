# Kita-Portal: `make run` starts the portal with demo data, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails, the inbox and PDFs point here; the web server and the worker must agree.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run stack test lint format messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Kita-Portal: $(SITE_URL)/  (Ctrl+C stops the web server and the worker)"
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	SITE_URL=$(SITE_URL) $(BIN)/celery -A portal worker --beat --loglevel=INFO --pool=threads --concurrency=4 \
		--schedule=var/celerybeat-schedule & worker=$$!; \
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production set-up on one machine (gunicorn, a Celery worker, one beat) against PostgreSQL
# and Redis from DATABASE_URL and CELERY_BROKER_URL; see docs/operations.md.
stack: install
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) bash deploy/stack.sh

# Page timings, load tests, bulk jobs and memory at city scale (PostgreSQL and Redis from DATABASE_URL and
# CELERY_BROKER_URL; seeds its own database kitaportal_bench once, or BENCH_ARGS="--database NAME").
# See bench/pages.py; bench/jobs.py measures the bulk jobs alone.
bench: install
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages --locale de --locale en --ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore ".venv/*"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
