#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One coordinator against three on one PostgreSQL saga log, with the nodes in processes of
# their own, as they are in production: a throwaway PostgreSQL server (scripts/pg-cluster.sh),
# five reference nodes (a cluster-node process each), then rounds that alternate
# `cluster-bench throughput --coordinators 1` and `--coordinators 3` against them. Prints
# each run's line, then the medians and the median of the rounds' ratios.
#
#   bench/fleet_throughput.sh [--rounds N] [--sagas N] [--build DIR]
#
# Defaults: 6 rounds of 20,000 sagas, 128 in flight, build/release. Build first:
# cmake --preset release && cmake --build --preset release. Needs PostgreSQL 15
# (scripts/install-deps.sh). Six rounds take about three minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: bench/fleet_throughput.sh [--rounds N] [--sagas N] [--build DIR]" >&2
  exit 2
}
rounds=6
sagas=20000
build=build/release
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case "$1" in
    --rounds) rounds="$2" ;;
    --sagas) sagas="$2" ;;
    --build) build="$2" ;;
    *) usage ;;
  esac
  shift 2
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$sagas" =~ ^[1-9][0-9]*$ ]] || usage
bench="$build/apps/cluster-bench/cluster-bench"
node="$build/apps/cluster-node/cluster-node"
if [ ! -x "$bench" ] || [ ! -x "$node" ]; then
  echo "fleet_throughput.sh: $bench or $node is missing; build the release preset first" >&2
  exit 2
fi

# shellcheck source=SCRIPTDIR/../scripts/cluster_node.sh
. scripts/cluster_node.sh
work=$(mktemp -d)
chmod 755 "$work" # the server runs as the postgres user when this runs as root
nodes=()
cleanup() {
  for pid in "${nodes[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${nodes[@]}"; do wait "$pid" 2>/dev/null || true; done
  scripts/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

url=$(scripts/pg-cluster.sh start "$work/pg")
export PGPASSFILE="$work/pg/pgpass"

# A process per node, as separate servers would be.
all_hosts=""
for i in 1 2 3 4 5; do
  mkdir "$work/node$i"
  start_cluster_node "$node" 1 "$work/node$i" || exit 1
  nodes+=("$node_pid")
  all_hosts="$all_hosts${all_hosts:+,}$hosts"
done

echo "# $(date -u '+%F %H:%M UTC'), $build of checkout $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) CPUs"
echo "# cluster-bench throughput --hosts <5 cluster-node processes> --concurrency 128 --sagas $sagas --saga-log $url --coordinators 1|3"
echo "# round coordinators: sagas/s p50 ms p99 ms transactions/saga client-process-us/saga"
results="$work/results"
for round in $(seq "$rounds"); do
  for coordinators in 1 3; do
    line=$("$bench" throughput --hosts "$all_hosts" --concurrency 128 --sagas "$sagas" --saga-log "$url" \
      --coordinators "$coordinators" | tail -n 1)
    read -r _ _ _ _ _ _ rate _ _ us p50 p99 tx _ <<<"$line"
    echo "$round $coordinators: $rate $p50 $p99 $tx $us"
    echo "$round $coordinators $rate" >>"$results"
  done
done

/usr/bin/python3 - "$results" <<'EOF'
import statistics
import sys

rates = {1: [], 3: []}
for line in open(sys.argv[1]):
    _, coordinators, rate = line.split()
    rates[int(coordinators)].append(float(rate))
one, three = statistics.median(rates[1]), statistics.median(rates[3])
ratios = [t / o for o, t in zip(rates[1], rates[3])]
print(f"# medians: one coordinator {one:.0f} sagas/s, three {three:.0f} ({three / one:.0%}); "
      f"median of the rounds' ratios {statistics.median(ratios):.2f}")
EOF
