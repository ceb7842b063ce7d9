#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end batch throughput and peak memory of the cluster-client program: starts
# cluster-node with 5 nodes, creates then deletes N groups with `--from-file`, the durable
# saga log on (the default), and prints sagas/s and the peak resident set of each batch.
#
#   bench/cli_batch.sh [--sagas N] [--concurrency C] [--nodes K] [--build DIR]
#
# Defaults: 100000 sagas, concurrency 128, 5 nodes, build/release (make it with
# `cmake --preset release && cmake --build --preset release`). Needs GNU time (/usr/bin/time).
set -euo pipefail

sagas=100000
concurrency=128
nodes=5
build=build/release
while [ $# -gt 0 ]; do
  case "$1" in
    --sagas) sagas="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    *) echo "cli_batch.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

client="$build/apps/cluster-client/cluster-client"
node="$build/apps/cluster-node/cluster-node"
for program in "$client" "$node" /usr/bin/time; do
  [ -x "$program" ] || { echo "cli_batch.sh: $program is missing" >&2; exit 2; }
done

# shellcheck source=SCRIPTDIR/../scripts/cluster_node.sh
. "$(dirname "$0")/../scripts/cluster_node.sh"
work="$(mktemp -d)"
cleanup() {
  stop_cluster_node
  rm -rf "$work"
}
trap cleanup EXIT

start_cluster_node "$node" "$nodes" "$work" || exit 1

seq -f "batch-%.0f" 1 "$sagas" >"$work/ids"

printf '%-10s %8s %12s %8s %10s %13s %6s\n' operation sagas concurrency seconds sagas/s "peak RSS MB" ok
for operation in create delete; do
  /usr/bin/time -f "%e %M" -o "$work/time" \
    "$client" "$operation" --hosts "$hosts" --from-file "$work/ids" --concurrency "$concurrency" \
    --state-dir "$work/state" --output json >"$work/$operation.json"
  read -r seconds peak_kb <"$work/time"
  ok="$(grep -c '"ok":true' "$work/$operation.json" || true)"
  awk -v op="$operation" -v n="$sagas" -v c="$concurrency" -v s="$seconds" -v kb="$peak_kb" -v ok="$ok" \
    'BEGIN { printf "%-10s %8d %12d %8.2f %10.0f %13.1f %6d\n", op, n, c, s, n / s, kb / 1024, ok }'
done
