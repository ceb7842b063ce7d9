# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Sourced by the scripts that need a local cluster (bench/cli_batch.sh, tests/install/run.sh,
# examples/run_examples.sh).
#
#   start_cluster_node EXE COUNT DIR   starts EXE --nodes COUNT with its output in DIR, waits
#                                      for its URLs, and sets node_pid and hosts (comma-
#                                      separated); returns 1, saying why, if it did not start
#   stop_cluster_node                  ends it, by its PID

node_pid=""
hosts=""

start_cluster_node() {
  local exe="$1" count="$2" dir="$3"
  "$exe" --nodes "$count" --log-level warn >"$dir/node.out" 2>"$dir/node.err" &
  node_pid=$!
  for _ in $(seq 50); do
    [ "$(grep -c '^node ' "$dir/node.out" || true)" -ge "$count" ] && break
    sleep 0.1
  done
  hosts="$(awk '/^node /{print $3}' "$dir/node.out" | paste -sd, -)"
  if [ -z "$hosts" ]; then
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
