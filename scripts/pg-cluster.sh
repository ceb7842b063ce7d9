#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A throwaway PostgreSQL server for tests and benchmarks: its own data folder, a free
# loopback port, a socket in its folder, and a password for TCP connections, so that a test
# can check both a right and a wrong one. Nothing outside the folder is touched.
#
#   scripts/pg-cluster.sh start DIR   creates DIR (it must not exist) and starts the server
#                                     there; prints the connection URL (no password: it is
#                                     in DIR/pgpass, for PGPASSFILE)
#   scripts/pg-cluster.sh stop DIR    stops it (fast shutdown) and removes DIR
#   scripts/pg-cluster.sh restart DIR restarts it on the same port, keeping its data
#   scripts/pg-cluster.sh down DIR    stops it, keeping its data and port
#   scripts/pg-cluster.sh up DIR      starts it again after `down`
#
# As root the server runs as the unprivileged `postgres` user (PostgreSQL refuses root).
# Needs the Debian package postgresql-15 (scripts/install-deps.sh installs it).
set -euo pipefail

usage() {
  echo "usage: scripts/pg-cluster.sh start|stop|restart|down|up DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
command="$1"
dir="$2"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg-cluster.sh: PostgreSQL's server programs are not installed (scripts/install-deps.sh)" >&2
  exit 2
fi

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A port the kernel hands out for loopback, free at this moment.
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  if [ -e "$dir" ]; then
    echo "pg-cluster.sh: $dir exists already" >&2
    exit 2
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  local password
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s\n' "$password" >"$dir/password"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/password"
  as_server "$bin/initdb" --pgdata="$dir/data" --username=postgres --pwfile="$dir/password" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  local port
  port=$(free_port)
  echo "$port" >"$dir/port"
  start_server "$port"
  printf '127.0.0.1:%s:*:postgres:%s\n' "$port" "$password" >"$dir/pgpass"
  chmod 600 "$dir/pgpass"
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

start_server() {
  local port="$1"
  as_server "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --silent \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir" start || {
    cat "$dir/server.log" >&2
    exit 1
  }
}

stop() {
  if [ -d "$dir/data" ]; then
    as_server "$bin/pg_ctl" --pgdata="$dir/data" --wait --silent --mode=fast stop || true
  fi
  rm -rf "$dir"
}

need_server() {
  [ -f "$dir/port" ] || { echo "pg-cluster.sh: no server in $dir" >&2; exit 2; }
}

down() {
  need_server
  as_server "$bin/pg_ctl" --pgdata="$dir/data" --wait --silent --mode=fast stop
}

up() {
  need_server
  start_server "$(cat "$dir/port")"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  restart) down && up ;;
  down) down ;;
  up) up ;;
  *) usage ;;
esac
