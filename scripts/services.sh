#!/usr/bin/env bash
# Starts (or stops) throwaway PostgreSQL and Redis servers on loopback for the store suite and
# the multi-instance tests: PostgreSQL as the postgres user in a temporary data directory, Redis
# with no persistence. `start` prints the variables the tests read; `stop` ends both.
#   eval "$(scripts/services.sh start)"   …   scripts/services.sh stop
# One server can be stopped and started again while gatehouse runs (the failure tests do, on
# servers of their own):  scripts/services.sh stop-postgres | start-postgres | stop-redis | start-redis
# Redis Cluster and Sentinel, for the store suite and the failover tests (docs/deployment.md):
#   eval "$(scripts/services.sh start-cluster)"   # 3 masters, each with a replica: 6 nodes
#   eval "$(scripts/services.sh start-sentinel)"  # 1 master, 1 replica, 3 sentinels (master name "gatehouse")
#   scripts/services.sh stop-cluster | stop-sentinel
# Both start again what is missing of a setup that runs (a node a test killed rejoins: a cluster
# node from its nodes.conf, a sentinel data node as a replica of the master the sentinels name).
# Settings (also printed by `start`, so those commands find the same servers):
#   GATEHOUSE_SERVICES_DIR (default /tmp/gatehouse-services), GATEHOUSE_PG_PORT (54329),
#   GATEHOUSE_REDIS_PORT (63799), GATEHOUSE_REDIS_CLUSTER_PORT (46380: the first of 6 ports, each
#   with its cluster bus port 10000 above),
#   GATEHOUSE_REDIS_SENTINEL_PORT (63820: the first of 5: master, replica, 3 sentinels).
set -euo pipefail

state=${GATEHOUSE_SERVICES_DIR:-/tmp/gatehouse-services}
pg_port=${GATEHOUSE_PG_PORT:-54329}
redis_port=${GATEHOUSE_REDIS_PORT:-63799}
cluster_port=${GATEHOUSE_REDIS_CLUSTER_PORT:-46380}
sentinel_port=${GATEHOUSE_REDIS_SENTINEL_PORT:-63820}
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

have_redis() {
  command -v redis-server >/dev/null || { echo "services: redis-server is not installed (apt-get install -y redis-server)" >&2; return 1; }
}

# Polls `redis-cli -p PORT <command…>` until its output contains WANT (about 20 s at most).
await_redis() {
  local port=$1 want=$2
  shift 2
  for _ in $(seq 400); do
    redis-cli -p "$port" "$@" 2>/dev/null | grep -q -- "$want" && return 0
    sleep 0.05
  done
  echo "services: redis on port $port never answered '$want' to '$*'" >&2
  return 1
}

# Starts one data node (no persistence) on PORT, with extra options, unless it runs already.
# Its pid file is $state/redis-node-PORT.pid, so a test can kill it like a crash.
start_node() {
  local port=$1 dir=$state/redis-node-$1
  shift
  redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
  mkdir -p "$dir"
  # DEBUG (SLEEP: a node that stalls) is allowed from loopback only, for the failure tests.
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --enable-debug-command local --pidfile "$state/redis-node-$port.pid" --logfile "$dir/redis.log" \
    --dir "$dir" "$@"
  await_redis "$port" PONG ping || { tail -n 20 "$dir/redis.log" >&2; return 1; }
}

stop_port() {
  redis-cli -p "$1" ping >/dev/null 2>&1 || return 0
  redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 || return 0; sleep 0.05; done
}

cluster_ports() { seq "$cluster_port" $((cluster_port + 5)); }

# Six nodes, three masters with a replica each; a node-timeout of 1 s so a failover takes seconds.
start_cluster() {
  have_redis
  local port
  for port in $(cluster_ports); do
    start_node "$port" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 1000
  done
  if ! redis-cli -p "$cluster_port" cluster info 2>/dev/null | grep -q 'cluster_known_nodes:6'; then
    local nodes=()
    for port in $(cluster_ports); do nodes+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$state/cluster-create.log" 2>&1 ||
      { cat "$state/cluster-create.log" >&2; return 1; }
  fi
  for port in $(cluster_ports); do await_redis "$port" 'cluster_state:ok' cluster info; done
  # Ready once every replica is in sync: a write that waits for its replica (?wait=1) succeeds.
  for port in $(cluster_ports); do
    for _ in $(seq 400); do
      redis-cli -p "$port" info replication 2>/dev/null | grep -Eq 'master_link_status:up|slave0:.*state=online' && break
      sleep 0.05
    done
  done
  echo "export GATEHOUSE_TEST_REDIS_CLUSTER_URL=redis+cluster://127.0.0.1:$cluster_port,127.0.0.1:$((cluster_port + 1)),127.0.0.1:$((cluster_port + 2))"
  echo "export GATEHOUSE_SERVICES_DIR='$state' GATEHOUSE_REDIS_CLUSTER_PORT=$cluster_port"
}

stop_cluster() {
  local port
  for port in $(cluster_ports); do stop_port "$port"; done
  # A new cluster next time, not the old one's memory of nodes and slots.
  for port in $(cluster_ports); do rm -rf "$state/redis-node-$port"; done
}

sentinel_data_ports() { echo "$sentinel_port" $((sentinel_port + 1)); }
sentinel_ports() { seq $((sentinel_port + 2)) $((sentinel_port + 4)); }

# The master the sentinels name ("host port"), or nothing when none answers.
sentinel_master() {
  local port
  for port in $(sentinel_ports); do
    redis-cli -p "$port" sentinel get-master-addr-by-name gatehouse 2>/dev/null | paste -sd' ' | grep . && return 0
  done
  return 0
}

# A field of what the sentinel on PORT knows of the master (SENTINEL MASTER: name, value lines).
sentinel_field() {
  redis-cli -p "$1" sentinel master gatehouse 2>/dev/null | grep -A1 -x -- "$2" | tail -n 1
}

# Master on the first port, its replica on the next, three sentinels (quorum 2) that declare the
# master down after 1 s without an answer.
start_sentinel() {
  have_redis
  local master port conf
  master=$(sentinel_master)
  for port in $(sentinel_data_ports); do
    if [ -n "$master" ] && [ "$master" != "127.0.0.1 $port" ]; then
      # Back after a failover (it has no data: no persistence): it joins as a replica.
      start_node "$port" --replicaof ${master}
    elif [ -n "$master" ] && ! redis-cli -p "$port" ping >/dev/null 2>&1; then
      # The sentinels still call this stopped server master: started empty now, it would be
      # replicated over its replica's data. Wait for the failover.
      echo "services: the sentinels still name 127.0.0.1:$port master; start it after the failover" >&2
      return 1
    elif [ -z "$master" ] && [ "$port" != "$sentinel_port" ]; then
      start_node "$port" --replicaof 127.0.0.1 "$sentinel_port"
    else
      start_node "$port"
    fi
  done
  for port in $(sentinel_ports); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && continue
    mkdir -p "$state/sentinel-$port"
    conf=$state/sentinel-$port/sentinel.conf
    # Sentinel rewrites its own config (the current master, the other sentinels): one per process.
    [ -f "$conf" ] || cat >"$conf" <<CONF
port $port
bind 127.0.0.1
daemonize yes
pidfile $state/sentinel-$port.pid
logfile $state/sentinel-$port/sentinel.log
dir $state/sentinel-$port
sentinel monitor gatehouse 127.0.0.1 $sentinel_port 2
sentinel down-after-milliseconds gatehouse 1000
sentinel failover-timeout gatehouse 5000
sentinel parallel-syncs gatehouse 1
CONF
    redis-server "$conf" --sentinel
    await_redis "$port" PONG ping || { tail -n 20 "$state/sentinel-$port/sentinel.log" >&2; return 1; }
  done
  # Ready when the replica is in sync and every sentinel knows the master, its replica and the others.
  master=$(sentinel_master)
  await_redis "${master#* }" 'connected_slaves:1' info replication
  for port in $(sentinel_ports); do
    for _ in $(seq 400); do
      [ "$(sentinel_field "$port" num-other-sentinels)" = 2 ] && [ "$(sentinel_field "$port" num-slaves)" = 1 ] && break
      sleep 0.05
    done
    [ "$(sentinel_field "$port" num-other-sentinels)" = 2 ] ||
      { echo "services: sentinel on port $port does not see the other two" >&2; return 1; }
  done
  local urls=()
  for port in $(sentinel_ports); do urls+=("127.0.0.1:$port"); done
  echo "export GATEHOUSE_TEST_REDIS_SENTINEL_URL=redis+sentinel://$(IFS=,; echo "${urls[*]}")/gatehouse"
  echo "export GATEHOUSE_SERVICES_DIR='$state' GATEHOUSE_REDIS_SENTINEL_PORT=$sentinel_port"
}

stop_sentinel() {
  local port
  for port in $(sentinel_ports) $(sentinel_data_ports); do stop_port "$port"; done
  for port in $(sentinel_ports); do rm -rf "$state/sentinel-$port"; done
  for port in $(sentinel_data_ports); do rm -rf "$state/redis-node-$port"; done
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
  start-cluster) mkdir -p "$state" && start_cluster ;;
  stop-cluster) stop_cluster ;;
  start-sentinel) mkdir -p "$state" && start_sentinel ;;
  stop-sentinel) stop_sentinel ;;
  *) echo "usage: scripts/services.sh start|stop|start-postgres|stop-postgres|start-redis|stop-redis|start-cluster|stop-cluster|start-sentinel|stop-sentinel" >&2; exit 2 ;;
esac
