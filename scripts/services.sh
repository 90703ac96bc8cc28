#!/usr/bin/env bash
# Starts (or stops) throwaway PostgreSQL and Redis servers on loopback for the store suite and
# the multi-instance tests: PostgreSQL as the postgres user in a temporary data directory, Redis
# with no persistence. `start` prints the variables the tests read; `stop` ends both.
#   eval "$(scripts/services.sh start)"   …   scripts/services.sh stop
set -euo pipefail

state=${GATEHOUSE_SERVICES_DIR:-/tmp/gatehouse-services}
pg_port=${GATEHOUSE_PG_PORT:-54329}
redis_port=${GATEHOUSE_REDIS_PORT:-63799}

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || { echo "services: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; return 1; }
  echo "$bin"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

start() {
  mkdir -p "$state"
  local bin; bin=$(pg_bin)
  if [ ! -f "$state/pg/PG_VERSION" ]; then
    mkdir -p "$state/pg"
    [ "$(id -u)" = 0 ] && chown -R postgres "$state/pg"
    as_postgres "'$bin/initdb' -D '$state/pg' -A trust -U postgres >'$state/pg-init.log' 2>&1"
  fi
  as_postgres "'$bin/pg_ctl' -D '$state/pg' -l '$state/pg/server.log' -w -o \"-p $pg_port -k '$state/pg' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start >/dev/null"
  as_postgres "'$bin/psql' -h 127.0.0.1 -p $pg_port -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='gatehouse_test'\"" | grep -q 1 ||
    as_postgres "'$bin/createdb' -h 127.0.0.1 -p $pg_port -U postgres gatehouse_test"
  command -v redis-server >/dev/null || { echo "services: redis-server is not installed (apt-get install -y redis-server)" >&2; return 1; }
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$state/redis.pid" --logfile "$state/redis.log"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "export GATEHOUSE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$pg_port/gatehouse_test"
  echo "export GATEHOUSE_TEST_REDIS_URL=redis://127.0.0.1:$redis_port"
  echo "export GATEHOUSE_TEST_PG_CTL='$bin/pg_ctl -D $state/pg'"
}

stop() {
  if [ -f "$state/pg/postmaster.pid" ]; then
    local bin; bin=$(pg_bin)
    as_postgres "'$bin/pg_ctl' -D '$state/pg' -m fast -w stop >/dev/null" || true
  fi
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/services.sh start|stop" >&2; exit 2 ;;
esac
