#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds and runs the unit and chaos suites and the saga simulator under AddressSanitizer
# with UndefinedBehaviorSanitizer, and the chaos suite (every thread the library uses: the saga
# log's writer, the blocking client's, the nodes') under ThreadSanitizer.
# Usage: scripts/sanitizers.sh [asan|tsan]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
kinds=("$@")
[[ ${#kinds[@]} -gt 0 ]] || kinds=(asan tsan)

# What each sanitizer build needs beyond the tests themselves: no benchmarks, no examples,
# no Python package (a sanitized extension would need the runtime preloaded into Python).
configure_flags=(-DCLUSTER_CLIENT_BUILD_BENCH=OFF -DCLUSTER_CLIENT_BUILD_EXAMPLES=OFF -DCLUSTER_CLIENT_BUILD_PYTHON=OFF)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"

for kind in "${kinds[@]}"; do
    case $kind in
        asan) targets=(unit_tests chaos_tests saga-simulator); suites='^(unit|chaos)\.'; scale=3 ;;
        tsan) targets=(chaos_tests); suites='^chaos\.'; scale=10 ;;
        *) echo "sanitizers.sh: unknown kind '$kind' (asan or tsan)" >&2; exit 2 ;;
    esac
    echo "== $kind: building ${targets[*]}"
    cmake --preset "$kind" "${configure_flags[@]}" >/dev/null
    # Two jobs at most: a sanitized Asio translation unit takes about 2 GB to compile.
    cmake --build --preset "$kind" -j 2 --target "${targets[@]}"
    echo "== $kind: running the ${suites} tests"
    # The tests' short timeouts, stretched by what the sanitizer costs (tests/common/time_scale.hpp).
    CLUSTER_CLIENT_TEST_TIME_SCALE=$scale ctest --preset "$kind" -j 2 -R "$suites"
    if [[ $kind == asan ]]; then
        # A shorter run than the main build's: the machine's memory and arithmetic are what
        # the sanitizers check, not more scenarios.
        echo "== asan: the saga simulator"
        "build/$kind/tests/simulation/saga-simulator" --sagas 20000 --seed 2
    fi
done
