# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Sourced by the scripts that need a local cluster (bench/cli_batch.sh, tests/install/run.sh,
# examples/run_examples.sh, bench/fleet_throughput.sh).
#
#   start_cluster_node EXE COUNT DIR [admin]
#                                      starts EXE --nodes COUNT with its output in DIR, waits
#                                      for its URLs, and sets node_pid and hosts (comma-
#                                      separated); with `admin`, also an admin endpoint on an
#                                      ephemeral port, whose URL it sets in admin; returns 1,
#                                      saying why, if it did not start
#   stop_cluster_node                  ends it, by its PID

node_pid=""
hosts=""
admin=""

start_cluster_node() {
  local exe="$1" count="$2" dir="$3" with_admin="${4:-}"
  local extra=()
  [ "$with_admin" = admin ] && extra=(--admin-port 0)
  "$exe" --nodes "$count" --log-level warn "${extra[@]}" >"$dir/node.out" 2>"$dir/node.err" &
  node_pid=$!
  for _ in $(seq 50); do
    if [ "$(grep -c '^node ' "$dir/node.out" || true)" -ge "$count" ] &&
      { [ "$with_admin" != admin ] || grep -q '^admin ' "$dir/node.out"; }; then
      break
    fi
    sleep 0.1
  done
  hosts="$(awk '/^node /{print $3}' "$dir/node.out" | paste -sd, -)"
  admin="$(awk '/^admin /{print $2}' "$dir/node.out")"
  if [ -z "$hosts" ] || { [ "$with_admin" = admin ] && [ -z "$admin" ]; }; then
    echo "cluster-node did not start: $(cat "$dir/node.err")" >&2
    return 1
  fi
}

stop_cluster_node() {
  if [ -n "$node_pid" ]; then
    kill "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
    node_pid=""
  fi
}
