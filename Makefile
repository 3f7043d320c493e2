# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# make run PORT=8001 serves there; development settings derive SITE_URL (the links in emails) from it.
PORT ?= 8000
export PORT

.PHONY: run test lint install test-deps migrate seed worker beat bench backup screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## make run: install, migrate, load the demo network once, serve http://127.0.0.1:8000 (PORT=8001: there)
run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: ruff (make lint), then the whole suite (PostgreSQL when reachable; CI=true insists on PostgreSQL and Redis)
test: lint test-deps
	$(BIN)/python -m pytest -n $${TEST_WORKERS:-2} $(PYTEST_ARGS)

## make lint: ruff's lint rules and its formatting check (config in pyproject.toml); make test runs it first
lint: install
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check --no-cache .

test-deps:
	@bash scripts/test-deps.sh

worker: install
	$(BIN)/celery -A referrals_site worker --loglevel=info --concurrency=$${CELERY_CONCURRENCY:-8}

beat: install
	$(BIN)/celery -A referrals_site beat --loglevel=info

## make screenshots: docs/screenshots/ of the main pages at desktop and phone width, from a fresh demo (Chromium)
screenshots: install test-deps
	$(BIN)/python scripts/screenshots.py

## make backup: pg_dump -Fc of DATABASE_URL into backups/ (restore: scripts/restore-postgres.sh FILE)
backup:
	bash scripts/backup-postgres.sh

## make bench: a million-referral network in its own database, measured (bench/README.md); not in make test
bench: install
	nice -n 10 bash bench/run.sh

clean:
	rm -rf $(VENV) db.sqlite3 test.sqlite3 staticfiles
