#!/usr/bin/env bash
# Restore a backup made by scripts/backup-postgres.sh into the database named by DATABASE_URL.
# Usage: DATABASE_URL=postgres://user:pass@host:5432/db scripts/restore-postgres.sh backups/referrals-....dump
# It replaces what is in that database: stop web, worker and beat first.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to restore into}"
archive="${1:?name the .dump file to restore}"
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$archive"
echo "restored $archive"
