#!/bin/sh
# Back up Scopedesk: the database (pg_dump, custom format) and the attachments
# (a tar of ATTACHMENTS_DIR), into DIR as database.dump and attachments.tar.gz.
#
#   DATABASE_URL=postgres://... ATTACHMENTS_DIR=/srv/scopedesk/attachments docker/backup.sh DIR
#
# With the compose file, COMPOSE="docker compose -f docker/compose.yaml" runs
# pg_dump in the db service (its version matches the server) and tar in a
# one-off web container (it has the attachments volume); DATABASE_URL and
# ATTACHMENTS_DIR are then as those containers see them. The desk may keep
# running: pg_dump reads one consistent snapshot.
set -eu
usage="usage: DATABASE_URL=... ATTACHMENTS_DIR=... $0 DIR"
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
: "${DATABASE_URL:?$usage}" "${ATTACHMENTS_DIR:?$usage}"
dir=$1

in_db() { if [ -n "${COMPOSE:-}" ]; then $COMPOSE exec -T db "$@"; else "$@"; fi; }
in_app() { if [ -n "${COMPOSE:-}" ]; then $COMPOSE run --rm --no-deps -T web "$@"; else "$@"; fi; }

mkdir -p "$dir"
if [ -e "$dir/database.dump" ] || [ -e "$dir/attachments.tar.gz" ]; then
    echo "$dir already holds a backup; give an empty or new folder" >&2
    exit 1
fi
# Written under a temporary name first: a half-written backup never looks whole,
# and one that failed leaves nothing behind.
trap 'rm -f "$dir/database.dump.part" "$dir/attachments.tar.gz.part"' EXIT
in_db pg_dump --format=custom --no-owner "$DATABASE_URL" >"$dir/database.dump.part"
# A missing folder is an error, not an empty backup: the path may be mistyped.
in_app sh -c '[ -d "$1" ] || { echo "ATTACHMENTS_DIR=$1: no such folder" >&2; exit 1; }
    tar -C "$1" -czf - .' backup "$ATTACHMENTS_DIR" >"$dir/attachments.tar.gz.part"
mv "$dir/database.dump.part" "$dir/database.dump"
mv "$dir/attachments.tar.gz.part" "$dir/attachments.tar.gz"
echo "backed up to $dir: database.dump, attachments.tar.gz"
