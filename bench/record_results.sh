#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every measurement of docs/PERFORMANCE.md on this machine and keeps the raw output in
# bench/results/<date>/: latency against N (and its plot), throughput against concurrency,
# the floor's paired runs, CPU per request next to wrk, the CLI batch and the
# micro-benchmarks.
#
#   bench/record_results.sh [--build DIR]      (default build/release)
#
# Build first: cmake --preset release && cmake --build --preset release
# Needs wrk and GNU time (scripts/install-deps.sh installs wrk). Takes about ten minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/release
[ "${1:-}" = "--build" ] && build="$2"
bench="$build/apps/cluster-bench/cluster-bench"
[ -x "$bench" ] || { echo "record_results.sh: $bench is missing; build the release preset first" >&2; exit 2; }

out="bench/results/$(date +%F)"
mkdir -p "$out"
{
  echo "date: $(date -u '+%F %H:%M UTC')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/{print $2}') GiB"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "compiler: $(c++ --version | head -1)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$out/machine.txt"

set -x
"$bench" latency --nodes 1,3,10,30,100,1000 --latency-ms 5 --sagas 30 --runs 3 --output json >"$out/latency.jsonl"
/usr/bin/python3 bench/plot_latency.py "$out/latency.jsonl" --output "$out/latency.svg"
"$bench" throughput --nodes 5 --concurrency 8,32,128,512 --sagas 10000 --runs 3 >"$out/throughput-concurrency.txt"
"$bench" throughput --nodes 5 --concurrency 128 --sagas 20000 --runs 5 >"$out/throughput-floor.txt"
"$bench" cpu --connections 64 --wrk-seconds 5 --requests 100000 >"$out/cpu.txt"
bench/cli_batch.sh --sagas 100000 --concurrency 128 --build "$build" >"$out/cli-batch.txt"
# The million-saga log takes ten minutes to fill: it runs on its own (docs/PERFORMANCE.md).
"$build/bench/micro/cluster-microbench" --benchmark_filter='-GrownLog/1000000' >"$out/micro.txt" 2>&1
