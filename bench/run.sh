#!/usr/bin/env bash
# make bench: build the million-referral network in its own database, measure each page beside its floor,
# load Inbound Referrals with wrk against gunicorn (production settings), grow the directory to 50,000
# programs and measure search again, then write bench/RESULTS.md. Not part of `make test`.
#
#   BENCH_REUSE=1 make bench     # keep an existing benchmark database (only new migrations are applied)
#   BENCH_DB=rn_bench            # the database's name (on the local PostgreSQL server, user postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
SERVER=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rn_bench}
export BENCH_DATABASE_URL="$SERVER/$DB" DJANGO_SETTINGS_MODULE=bench.settings PYTHONPATH=.
export PYTHONWARNINGS=ignore
mkdir -p bench/results

command -v wrk > /dev/null || apt-get install -y wrk > /dev/null || sudo apt-get install -y wrk > /dev/null

exists=$(psql "$SERVER/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" || true)
if [ "${BENCH_REUSE:-0}" != 1 ] || [ "$exists" != 1 ]; then
  echo "== a fresh $DB"
  psql -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  $PY manage.py migrate --noinput -v0
  $PY -m bench.generate
else
  echo "== reusing $DB"
  $PY manage.py migrate --noinput -v0
  # A migration that rewrites rows (referrals 0017 fills a column of every referral) leaves the visibility map
  # cleared until autovacuum passes: index-only scans would read the table meanwhile. Vacuum as it would.
  psql -q "$SERVER/$DB" -c "VACUUM ANALYZE"
fi

uptime > bench/results/load.txt
echo "== pages beside their floors (5,000 programs)"
$PY -m bench.measure --label "5,000 programs" --output measure.json
echo "== throughput (page cache on, then off)"
$PY -m bench.throughput
INBOUND_PAGE_CACHE_SECONDS=0 $PY -m bench.throughput
echo "== program search and the public directory over 50,000 programs"
$PY -m bench.generate --grow-directory-to 50000
$PY -m bench.measure --only search,find --label "50,000 programs" --output measure-50k.json
uptime >> bench/results/load.txt
$PY -m bench.report
echo "== bench/RESULTS.md written"
