#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds cluster-client, and runs its demo: a local 3-node cluster
# (with injected faults) on which a group is created, verified and deleted.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j 2 --target cluster-client
exec build/release/apps/cluster-client/cluster-client demo "$@"
