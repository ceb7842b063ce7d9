#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, checks the code's layout and lints the sans-io layers, builds,
# and runs the main build's suites: unit, integration, hostile nodes, recovery, chaos,
# command line, packet loss, install, Python, docs and the simulation. With --full, then the
# unit and chaos suites and the simulator under the sanitizers, each fuzz target from its
# seed corpus, and the install test on the shared library (BUILD_SHARED_LIBS): what CI runs
# (.ci/run).
# Usage: scripts/test.sh [--full] [PRESET]   (default: dev; CI uses ci, which adds -Werror)
set -euo pipefail
cd "$(dirname "$0")/.."
full=""
if [ "${1:-}" = "--full" ]; then
  full=yes
  shift
fi
preset="${1:-dev}"
case "$preset" in
  -*) echo "usage: scripts/test.sh [--full] [PRESET]" >&2; exit 2 ;;
esac

scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
scripts/lint.sh "$preset"
# Two jobs at most: an Asio/Beast translation unit takes about 1 GB to compile.
cmake --build --preset "$preset" -j 2
ctest --preset "$preset" -j 2
if [ -n "$full" ]; then
  scripts/sanitizers.sh asan tsan
  tests/fuzz/run.sh
  cmake --preset shared >/dev/null
  cmake --build --preset shared -j 2
  tests/install/run.sh build/shared
fi
