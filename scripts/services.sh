#!/usr/bin/env bash
# Starts (or stops) throwaway PostgreSQL and Redis servers on loopback for the store suite and
# the multi-instance tests: PostgreSQL as the postgres user in a temporary data directory, Redis
# with no persistence. `start` prints the variables the tests read; `stop` ends both.
#   eval "$(scripts/services.sh start)"   …   scripts/services.sh stop
# One server can be stopped and started again while gatehouse runs (the failure tests do, on
# servers of their own):  scripts/services.sh stop-postgres | start-postgres | stop-redis | start-redis
# Settings (also printed by `start`, so those commands find the same servers):
#   GATEHOUSE_SERVICES_DIR (default /tmp/gatehouse-services), GATEHOUSE_PG_PORT (54329),
#   GATEHOUSE_REDIS_PORT (63799).
set -euo pipefail

state=${GATEHOUSE_SERVICES_DIR:-/tmp/gatehouse-services}
pg_port=${GATEHOUSE_PG_PORT:-54329}
redis_port=${GATEHOUSE_REDIS_PORT:-63799}
# The data directory belongs to the postgres user (initdb and the server refuse to run as root),
# so it sits one level below the state directory, which root may own.
pgdata=$state/pg/data

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || { echo "services: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; return 1; }
  echo "$bin"
}

# Runs a command line as the postgres user when we are root; from / so that su's user can
# always read its working directory.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi
}

pg_running() {
  local bin; bin=$(pg_bin)
  [ -f "$pgdata/PG_VERSION" ] && as_postgres "'$bin/pg_ctl' -D '$pgdata' status" >/dev/null 2>&1
}

start_postgres() {
  local bin; bin=$(pg_bin)
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    mkdir -p "$pgdata"
    chmod 755 "$state"
    [ "$(id -u)" = 0 ] && chown -R postgres "$state/pg"
    # The log is written by this (root) shell, not by postgres, which may not write to $state.
    as_postgres "'$bin/initdb' -D '$pgdata' -A trust -U postgres" >"$state/pg-init.log" 2>&1 ||
      { cat "$state/pg-init.log" >&2; return 1; }
  fi
  pg_running && return 0
  as_postgres "'$bin/pg_ctl' -D '$pgdata' -l '$state/pg/server.log' -w -t 30 -o \"-p $pg_port -k '$state/pg' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start" >/dev/null ||
    { tail -n 20 "$state/pg/server.log" >&2; return 1; }
  as_postgres "'$bin/psql' -h 127.0.0.1 -p $pg_port -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='gatehouse_test'\"" | grep -q 1 ||
    as_postgres "'$bin/createdb' -h 127.0.0.1 -p $pg_port -U postgres gatehouse_test"
}

stop_postgres() {
  pg_running || return 0
  local bin; bin=$(pg_bin)
  as_postgres "'$bin/pg_ctl' -D '$pgdata' -m fast -w stop" >/dev/null
}

start_redis() {
  command -v redis-server >/dev/null || { echo "services: redis-server is not installed (apt-get install -y redis-server)" >&2; return 1; }
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0
  mkdir -p "$state"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$state/redis.pid" --logfile "$state/redis.log" --dir "$state"
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "services: redis-server did not answer on port $redis_port" >&2
  tail -n 20 "$state/redis.log" >&2
  return 1
}

stop_redis() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 || return 0; sleep 0.05; done
}

start() {
  mkdir -p "$state"
  start_postgres
  start_redis
  echo "export GATEHOUSE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$pg_port/gatehouse_test"
  echo "export GATEHOUSE_TEST_REDIS_URL=redis://127.0.0.1:$redis_port"
  # So that `scripts/services.sh stop` (or stop-redis …) in the same shell finds these servers.
  echo "export GATEHOUSE_SERVICES_DIR='$state' GATEHOUSE_PG_PORT=$pg_port GATEHOUSE_REDIS_PORT=$redis_port"
}

stop() {
  [ -d "$state/pg" ] && { stop_postgres || true; }
  stop_redis
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  start-postgres) start_postgres ;;
  stop-postgres) stop_postgres ;;
  start-redis) start_redis ;;
  stop-redis) stop_redis ;;
  *) echo "usage: scripts/services.sh start|stop|start-postgres|stop-postgres|start-redis|stop-redis" >&2; exit 2 ;;
esac
