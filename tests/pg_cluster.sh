#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the tests (Debian's postgresql package).
#
#   tests/pg_cluster.sh start DIR [PORT]   initdb into DIR if empty, start it, create the
#                                          database; prints `export WIREWATCH_TEST_POSTGRES=...`
#   tests/pg_cluster.sh stop DIR           stop it (DIR can then be deleted)
#
# Usage: eval "$(tests/pg_cluster.sh start var/pg)". Trust authentication, listening on
# 127.0.0.1 only, sockets in DIR: nothing outside DIR is touched. As root, the server runs
# as the `postgres` user (initdb refuses root).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?cluster directory}
port=${3:-${WIREWATCH_PG_PORT:-55432}}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
    initdb=$(command -v initdb || true)
    [ -n "$initdb" ] || { echo "pg_cluster: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
    bindir=$(dirname "$initdb")
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
log="$dir.initdb.log"
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    # The server runs as `postgres`: every directory above DIR must let it through
    # (a clone in a 0700 folder or under /root does not). Say so, never skip quietly.
    if ! runuser -u postgres -- test -w "$dir"; then
        echo "pg_cluster: the postgres user cannot reach $dir (a parent directory is" \
            "not searchable by it); use a directory under /tmp: make PG_DIR=/tmp/wirewatch-pg" >&2
        exit 1
    fi
fi

case $cmd in
start)
    if [ ! -f "$dir/PG_VERSION" ]; then
        as_owner "$bindir/initdb" -D "$dir" -U wirewatch -A trust -E UTF8 --no-sync >"$log" 2>&1 \
            || { cat "$log" >&2; exit 1; }
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w start -o \
            "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" >/dev/null \
            || { cat "$dir/server.log" >&2; exit 1; }
    fi
    "$bindir/psql" -h 127.0.0.1 -p "$port" -U wirewatch -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'wirewatch_test'" | grep -q 1 \
        || "$bindir/createdb" -h 127.0.0.1 -p "$port" -U wirewatch wirewatch_test
    echo "export WIREWATCH_TEST_POSTGRES=postgresql://wirewatch@127.0.0.1:$port/wirewatch_test"
    ;;
stop)
    if [ -f "$dir/PG_VERSION" ]; then as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true; fi
    ;;
*) echo "pg_cluster: unknown command $cmd" >&2; exit 2 ;;
esac
