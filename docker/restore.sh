#!/bin/sh
# Restore a backup made by backup.sh: the database from DIR/database.dump and
# the attachments from DIR/attachments.tar.gz.
#
#   DATABASE_URL=postgres://... ATTACHMENTS_DIR=/srv/scopedesk/attachments docker/restore.sh DIR
#
# Stop the web server, the workers and beat first. Restore into an empty
# database (created with createdb, or a fresh volume); --clean also lets it
# replace the tables of an existing one. The whole database is restored in one
# transaction: on any error nothing is changed. COMPOSE works as in backup.sh.
set -eu
usage="usage: DATABASE_URL=... ATTACHMENTS_DIR=... $0 DIR"
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
: "${DATABASE_URL:?$usage}" "${ATTACHMENTS_DIR:?$usage}"
dir=$1
for file in database.dump attachments.tar.gz; do
    [ -s "$dir/$file" ] || { echo "$dir/$file: missing or empty; is this a backup folder?" >&2; exit 1; }
done

in_db() { if [ -n "${COMPOSE:-}" ]; then $COMPOSE exec -T db "$@"; else "$@"; fi; }
in_app() { if [ -n "${COMPOSE:-}" ]; then $COMPOSE run --rm --no-deps -T web "$@"; else "$@"; fi; }

in_db pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
    --dbname="$DATABASE_URL" <"$dir/database.dump"
in_app sh -c 'mkdir -p "$1" && tar -C "$1" -xzf -' restore "$ATTACHMENTS_DIR" <"$dir/attachments.tar.gz"
echo "restored from $dir"
