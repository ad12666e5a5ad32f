#!/bin/sh
# A PostgreSQL 15 primary and a streaming standby with synchronous replication, on this machine,
# for the cluster test (issue 17). Sockets only (no TCP), one directory each:
#   pg_cluster.sh start DIR     initdb the primary (DIR/p, socket DIR/ps, port 5501), a
#                               pg_basebackup standby (DIR/s, socket DIR/ss, port 5502) that the
#                               primary waits for at each commit (synchronous_standby_names),
#                               and an empty database `cohort`
#   pg_cluster.sh fail DIR      the primary dies (immediate stop, as a crash) and the standby is
#                               promoted: what pg_auto_failover or Patroni would do
#   pg_cluster.sh stop DIR      stops both and removes DIR
# Durability is real (fsync on) on both: the test is about losing nothing. Runs PostgreSQL as
# `postgres` when started as root (initdb refuses root). Clients reach the pair with libpq's
# multi-host URI: postgresql:///cohort?host=DIR/ps,DIR/ss&port=5501,5502&user=postgres&
# target_session_attrs=read-write.
set -eu
action=$1 dir=$2
bin=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_server() {  # data socket port
  as_pg "$bin/pg_ctl" -D "$1" -l "$1.log" -w -t 60 -o \
    "-c listen_addresses='' -k $2 -p $3 -c max_connections=100 -c shared_buffers=32MB" \
    start >/dev/null || { cat "$1.log"; exit 1; }
}

case "$action" in
start)
  for d in "$dir/p" "$dir/s"; do
    [ -f "$d/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1
  done
  rm -rf "$dir"
  mkdir -p "$dir/ps" "$dir/ss"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
  as_pg "$bin/initdb" -D "$dir/p" -A trust -U postgres -E UTF8 --locale=C --no-instructions \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
  cat >>"$dir/p/postgresql.conf" <<EOF
wal_level = replica
max_wal_senders = 4
synchronous_standby_names = 'standby'
synchronous_commit = on
hot_standby = on
EOF
  echo "local replication all trust" >>"$dir/p/pg_hba.conf"
  start_server "$dir/p" "$dir/ps" 5501
  as_pg "$bin/pg_basebackup" -h "$dir/ps" -p 5501 -U postgres -D "$dir/s" -R -X stream \
    >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log"; exit 1; }
  # The standby names itself to the primary as `standby` (synchronous_standby_names). Once
  # promoted it has no standby of its own: it must not wait for one at each commit (which would
  # hang every write), as pg_auto_failover turns synchronous replication off when the last
  # standby is gone.
  cat >>"$dir/s/postgresql.auto.conf" <<EOF
primary_conninfo = 'host=$dir/ps port=5501 user=postgres application_name=standby'
synchronous_standby_names = ''
EOF
  start_server "$dir/s" "$dir/ss" 5502
  # Up when the primary reports the standby as synchronous.
  for _ in $(seq 1 100); do
    state=$(as_pg "$bin/psql" -h "$dir/ps" -p 5501 -U postgres -Atc \
      "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'" 2>/dev/null || true)
    if [ "$state" = sync ]; then
      as_pg "$bin/psql" -h "$dir/ps" -p 5501 -U postgres -qc "CREATE DATABASE cohort"
      exit 0
    fi
    sleep 0.1
  done
  echo "the standby did not become synchronous" >&2
  exit 1
  ;;
fail)
  as_pg "$bin/pg_ctl" -D "$dir/p" -m immediate stop >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir/s" -w -t 60 promote >/dev/null
  ;;
stop)
  for d in "$dir/p" "$dir/s"; do
    as_pg "$bin/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|fail|stop DIR" >&2
  exit 2
  ;;
esac
