#!/usr/bin/env bash
# Back up the PostgreSQL database named by DATABASE_URL into backups/ (custom format, compressed).
# Usage: DATABASE_URL=postgres://user:pass@host:5432/db scripts/backup-postgres.sh [output-file]
# Restore with scripts/restore-postgres.sh (see README, "Backup and restore").
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "DATABASE_URL is not PostgreSQL" >&2; exit 2;; esac
output="${1:-backups/referrals-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$output")"
# -Fc: compressed, restorable table by table and in parallel; a consistent snapshot without locking writers.
pg_dump --format=custom --no-owner --no-privileges --file="$output.partial" "$DATABASE_URL"
mv "$output.partial" "$output"
pg_restore --list "$output" > /dev/null   # the archive is readable
echo "$output"
