#!/bin/sh
# The throwaway PostgreSQL server of the test suite (CTest fixture `postgres`):
#   pg_server.sh start DIR SOCKET_DIR   initdb + pg_ctl start, socket only, durability off
#   pg_server.sh stop DIR SOCKET_DIR    pg_ctl stop (immediate) and remove both directories
# Runs PostgreSQL as the `postgres` user when started as root (initdb refuses root). Tests reach
# it at postgresql:///postgres?host=SOCKET_DIR&user=postgres (COHORT_TEST_PG_URI) and create a
# database each, so they can run in parallel.
set -eu
action=$1 dir=$2 sock=$3
bin=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
start)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir" "$sock"
  mkdir -p "$dir" "$sock"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir" "$sock"; fi
  as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
    --no-instructions >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 -o \
    "-c listen_addresses='' -k $sock -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB" \
    start >/dev/null || { cat "$dir/postgres.log"; exit 1; }
  ;;
stop)
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$sock"
  ;;
*)
  echo "usage: $0 start|stop DIR SOCKET_DIR" >&2
  exit 2
  ;;
esac
