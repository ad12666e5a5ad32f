#!/bin/sh
# A PostgreSQL 15 primary and a streaming standby with synchronous replication, on this machine,
# for the cluster test (issue 17). Sockets only (no TCP). Two servers, each in its own
# directory with its own socket and port, that swap roles at each failover:
#   a: data DIR/a, socket DIR/as, port 5501        b: data DIR/b, socket DIR/bs, port 5502
#   pg_cluster.sh start DIR     initdb `a` as the primary, a pg_basebackup standby `b` that the
#                               primary waits for at each commit (synchronous_standby_names),
#                               and an empty database `cohort`
#   pg_cluster.sh fail DIR      the primary dies (immediate stop, as a crash) and the standby is
#                               promoted: what pg_auto_failover or Patroni would do
#   pg_cluster.sh rejoin DIR    the dead server comes back as the new primary's synchronous
#                               standby (a fresh pg_basebackup, where pg_auto_failover would use
#                               pg_rewind), so that the next `fail` loses nothing either
#   pg_cluster.sh stop DIR      stops both and removes DIR
# DIR/primary names the server that is primary now. Durability is real (fsync on) on both: the
# test is about losing nothing. Runs PostgreSQL as `postgres` when started as root (initdb
# refuses root). Clients reach the pair with libpq's multi-host URI:
# postgresql:///cohort?host=DIR/as,DIR/bs&port=5501,5502&user=postgres&
# target_session_attrs=read-write.
set -eu
action=$1 dir=$2
bin=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port() { if [ "$1" = a ]; then echo 5501; else echo 5502; fi; }
other() { if [ "$1" = a ]; then echo b; else echo a; fi; }
psql_on() {  # server sql
  as_pg "$bin/psql" -h "$dir/${1}s" -p "$(port "$1")" -U postgres -Atqc "$2"
}

start_server() {  # server
  as_pg "$bin/pg_ctl" -D "$dir/$1" -l "$dir/$1.log" -w -t 60 -o \
    "-c listen_addresses='' -k $dir/${1}s -p $(port "$1") -c max_connections=100 -c shared_buffers=32MB" \
    start >/dev/null || { cat "$dir/$1.log"; exit 1; }
}

# Makes `standby` a streaming copy of `primary` (running), started, and the primary's
# synchronous standby: it returns once the primary reports it as `sync`.
add_standby() {  # primary standby
  rm -rf "${dir:?}/$2"
  as_pg "$bin/pg_basebackup" -h "$dir/${1}s" -p "$(port "$1")" -U postgres -D "$dir/$2" -R -c fast \
    -X stream >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log"; exit 1; }
  # The standby names itself to the primary as `standby` (synchronous_standby_names). Once
  # promoted it has no standby of its own: it must not wait for one at each commit (which would
  # hang every write), as pg_auto_failover turns synchronous replication off when the last
  # standby is gone. The lines come last in the file, so they win over the copied ones.
  cat >>"$dir/$2/postgresql.auto.conf" <<EOF
primary_conninfo = 'host=$dir/${1}s port=$(port "$1") user=postgres application_name=standby'
synchronous_standby_names = ''
EOF
  start_server "$2"
  psql_on "$1" "ALTER SYSTEM SET synchronous_standby_names = 'standby'"
  psql_on "$1" "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 200); do
    state=$(psql_on "$1" \
      "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'" \
      2>/dev/null || true)
    [ "$state" = sync ] && return 0
    sleep 0.1
  done
  echo "the standby $2 did not become synchronous" >&2
  exit 1
}

case "$action" in
start)
  for d in "$dir/a" "$dir/b"; do
    [ -f "$d/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1
  done
  rm -rf "$dir"
  mkdir -p "$dir/as" "$dir/bs"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
  as_pg "$bin/initdb" -D "$dir/a" -A trust -U postgres -E UTF8 --locale=C --no-instructions \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
  cat >>"$dir/a/postgresql.conf" <<EOF
wal_level = replica
max_wal_senders = 4
synchronous_commit = on
hot_standby = on
EOF
  echo "local replication all trust" >>"$dir/a/pg_hba.conf"
  start_server a
  add_standby a b
  psql_on a "CREATE DATABASE cohort"
  echo a >"$dir/primary"
  ;;
fail)
  primary=$(cat "$dir/primary")
  standby=$(other "$primary")
  as_pg "$bin/pg_ctl" -D "$dir/$primary" -m immediate stop >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir/$standby" -w -t 60 promote >/dev/null
  echo "$standby" >"$dir/primary"
  ;;
rejoin)
  primary=$(cat "$dir/primary")
  add_standby "$primary" "$(other "$primary")"
  ;;
stop)
  for d in "$dir/a" "$dir/b"; do
    as_pg "$bin/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|fail|rejoin|stop DIR" >&2
  exit 2
  ;;
esac
