#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, checks the code's layout and lints the sans-io layers, builds,
# and runs every test suite: the main build's (unit, integration, hostile nodes, chaos,
# command line, packet loss, install), then the unit and chaos suites under the
# sanitizers, then each fuzz target from its seed corpus.
# Usage: scripts/test.sh [PRESET]   (default: dev; CI uses ci, which adds -Werror)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"

scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
scripts/lint.sh "$preset"
# Two jobs at most: an Asio/Beast translation unit takes about 1 GB to compile.
cmake --build --preset "$preset" -j 2
ctest --preset "$preset" -j 2
scripts/sanitizers.sh asan tsan
tests/fuzz/run.sh
