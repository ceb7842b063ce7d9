#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (build/fuzz, clang, the whole project instrumented) and runs
# each for SECONDS_PER_TARGET (default 20) from a copy of its seed corpus, so new inputs
# never land in the tree. Exits 1 naming the reproducer when a target fails.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]
#
# Needs the Debian packages clang and libclang-rt-14-dev besides the project's own.
set -euo pipefail

seconds=${1:-20}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: tests/fuzz/run.sh [SECONDS_PER_TARGET]  (a whole number of seconds, default 20)" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
fuzz_dir=$root/tests/fuzz
build=$root/build/fuzz
targets=(group_id hosts config response)

for tool in clang clang++ cmake ninja; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool not found (Debian: apt-get install clang libclang-rt-14-dev cmake ninja-build)" >&2
    exit 2
  fi
done

run() {
  echo "+ $*"
  "$@"
}

# The libraries get coverage (fuzzer-no-link) and the sanitizers; the targets add the
# libFuzzer runtime at link (tests/fuzz/CMakeLists.txt). -O1 -g without NDEBUG: Boost's
# assertions stay on, through tests/fuzz/boost_assert.cpp, and a failed one is a finding.
# clang cannot emit its function-type check for coroutines, hence -fno-sanitize=function.
# Only the libraries the targets link are built: the apps stay ON because the config loader
# lives in the command line's library.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-sanitize-recover=all"
flags+=" -fno-omit-frame-pointer -DBOOST_ENABLE_ASSERT_HANDLER"
started=$SECONDS
CC=clang CXX=clang++ run cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  "-DCMAKE_CXX_FLAGS=$flags" \
  -DCLUSTER_CLIENT_BUILD_FUZZ=ON \
  -DCLUSTER_CLIENT_BUILD_APPS=ON \
  -DCLUSTER_CLIENT_BUILD_TESTS=OFF \
  -DCLUSTER_CLIENT_BUILD_BENCH=OFF \
  -DCLUSTER_CLIENT_BUILD_EXAMPLES=OFF \
  -DCLUSTER_CLIENT_BUILD_PYTHON=OFF
run cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"
echo "built in $((SECONDS - started))s"

# The corpus copies and the config target's scratch file (it reads a path, so each input is
# written to $TMPDIR) go to memory when the machine has it: on a disk that target runs
# several times slower.
scratch_base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch_base=/dev/shm
work=$(mktemp -d "$scratch_base/cluster-client-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$build/artifacts
mkdir -p "$artifacts"

failed=()
for target in "${targets[@]}"; do
  corpus=$work/$target
  cp -r "$fuzz_dir/corpus/$target" "$corpus"
  args=("$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$target-")
  [ -f "$fuzz_dir/dict/$target.dict" ] && args+=(-dict="$fuzz_dir/dict/$target.dict")
  log=$build/fuzz_$target.log
  echo
  echo "+ TMPDIR=$work $build/tests/fuzz/fuzz_$target ${args[*]}  > $log 2>&1"
  if TMPDIR=$work "$build/tests/fuzz/fuzz_$target" "${args[@]}" >"$log" 2>&1; then
    # libFuzzer's final stats: how many inputs ran, how fast, how many were new.
    sed -n 's/^stat::\(number_of_executed_units\|average_exec_per_sec\|new_units_added\|peak_rss_mb\): */  \1 /p' "$log"
    echo "  corpus: $(ls "$corpus" | wc -l) inputs ($(ls "$fuzz_dir/corpus/$target" | wc -l) seeds)"
  else
    echo "FAILED: fuzz_$target (log: $log)"
    tail -n 60 "$log"
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ -n "$reproducer" ]; then
      echo "reproducer: $reproducer"
      echo "replay: $build/tests/fuzz/fuzz_$target $reproducer"
    fi
    failed+=("$target")
  fi
done

echo
echo "total: $((SECONDS - started))s, ${seconds}s a target"
# The closing line test runners print: what passed and what failed.
echo "fuzz: $(( ${#targets[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets failed: ${failed[*]}" >&2
  exit 1
fi
