#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Starts a local 3-node cluster-node, runs each example against it and checks that it
# exits 0, then stops the nodes.
#
#   examples/run_examples.sh CLUSTER_NODE EXAMPLE...
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: run_examples.sh CLUSTER_NODE EXAMPLE..." >&2
  exit 2
fi
node="$1"
shift

# shellcheck source=SCRIPTDIR/../scripts/cluster_node.sh
. "$(dirname "$0")/../scripts/cluster_node.sh"
work="$(mktemp -d)"
cleanup() {
  stop_cluster_node
  rm -rf "$work"
}
trap cleanup EXIT

start_cluster_node "$node" 3 "$work" || exit 1

passed=0
failed=0
for example in "$@"; do
  name="$(basename "$example")"
  echo "== $name $hosts"
  # The examples keep their saga log where the cluster-client program does, under
  # XDG_STATE_HOME: a scratch one for each.
  export XDG_STATE_HOME="$work/state-$name"
  if "$example" "$hosts" "$name-group"; then
    if [ -f "$XDG_STATE_HOME/cluster-client/sagas.db" ]; then
      passed=$((passed + 1))
    else
      echo "FAIL: $name wrote no saga log" >&2
      failed=$((failed + 1))
    fi
  else
    echo "FAIL: $name exited with $?" >&2
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
