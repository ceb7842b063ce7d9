#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Starts a local 3-node cluster-node with its admin endpoint and runs each example against
# it three times, checking what the example printed, its exit code, its saga log and the
# nodes' real state afterwards (read from the admin endpoint):
#   - a new group: created on every node (3 requests each), present, deleted; exit 0, and
#     the group is on no node;
#   - a group every node had before: already_exists and left as it is; exit 0, and the
#     group is still on every node;
#   - a node that is down: the create rolls back; exit 1, and the group is on no node.
# Then stops the nodes.
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

start_cluster_node "$node" 3 "$work" admin || exit 1

# How many nodes hold the group $1, by the admin endpoint.
nodes_with() {
  python3 - "$admin" "$1" <<'EOF'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/admin/state", timeout=10) as answer:
    state = json.load(answer)
print(sum(sys.argv[2] in node["groups"] for node in state["nodes"]))
EOF
}

# Puts the group $1 on every node through the admin endpoint.
put_everywhere() {
  python3 - "$admin" "$1" <<'EOF'
import json, sys, urllib.request
for index in range(3):
    request = urllib.request.Request(
        f"{sys.argv[1]}/admin/nodes/{index}/groups",
        data=json.dumps({"groupId": sys.argv[2]}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request, timeout=10).close()
EOF
}

# A loopback URL where nothing listens: a port that was free a moment ago.
dead_url() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(f"http://127.0.0.1:{s.getsockname()[1]}")'
}

IFS=, read -r -a urls <<<"$hosts"
problems=()
problem() { problems+=("$1"); }
# Whether the output $1 holds the line $2, whole.
has_line() { grep -qxF -- "$2" <<<"$1"; }
# Whether the output $1 holds a line that begins with $2.
has_prefix() { awk -v prefix="$2" 'index($0, prefix) == 1 { found = 1 } END { exit !found }' <<<"$1"; }
# run_example EXAMPLE HOSTS GROUP: its stdout in $out (echoed), its exit code in $status,
# its stderr in $work/err.
run_example() {
  status=0
  out="$("$1" "$2" "$3" 2>"$work/err")" || status=$?
  echo "$out"
}

passed=0
failed=0
for example in "$@"; do
  name="$(basename "$example")"
  problems=()
  # The examples keep their saga log where the cluster-client program does, under
  # XDG_STATE_HOME: a scratch one for each.
  export XDG_STATE_HOME="$work/state-$name"

  group="$name-new"
  echo "== $name $hosts $group"
  run_example "$example" "$hosts" "$group"
  [ "$status" -eq 0 ] || problem "a new group: exited with $status: $(cat "$work/err")"
  has_prefix "$out" "create $group: created in " || problem "a new group: no 'create $group: created'"
  for url in "${urls[@]}"; do
    has_line "$out" "  $url  created  requests: 3" || problem "a new group: $url was not created in 3 requests"
    has_line "$out" "  $url  present  requests: 1" || problem "a new group: $url was not read as present"
    has_prefix "$out" "  $url  deleted  requests: " || problem "a new group: $url was not deleted"
  done
  has_prefix "$out" "verify $group: present in " || problem "a new group: no 'verify $group: present'"
  has_prefix "$out" "delete $group: deleted in " || problem "a new group: no 'delete $group: deleted'"
  [ "$(nodes_with "$group")" -eq 0 ] || problem "a new group: still on $(nodes_with "$group") node(s) at the end"
  [ -f "$XDG_STATE_HOME/cluster-client/sagas.db" ] || problem "wrote no saga log"

  group="$name-kept"
  put_everywhere "$group"
  echo "== $name $hosts $group (on every node before)"
  run_example "$example" "$hosts" "$group"
  [ "$status" -eq 0 ] || problem "a group there before: exited with $status: $(cat "$work/err")"
  has_prefix "$out" "create $group: already_exists in " || problem "a group there before: not already_exists"
  has_line "$out" "group $group was there before; left as it is" || problem "a group there before: not left as it is"
  has_prefix "$out" "delete $group:" && problem "a group there before: it was deleted"
  [ "$(nodes_with "$group")" -eq 3 ] || problem "a group there before: on $(nodes_with "$group") node(s), not 3"

  group="$name-down"
  down="$(dead_url)"
  echo "== $name $hosts,$down $group (a node down)"
  run_example "$example" "$hosts,$down" "$group"
  cat "$work/err"
  [ "$status" -eq 1 ] || problem "a node down: exited with $status, not 1"
  has_prefix "$out" "create $group: rolled_back in " || problem "a node down: not rolled_back"
  has_prefix "$out" "  $down  failed  requests: " || problem "a node down: $down is not failed"
  has_prefix "$out" "verify $group:" && problem "a node down: went on after the failed create"
  [ "$(nodes_with "$group")" -eq 0 ] || problem "a node down: on $(nodes_with "$group") node(s) after the rollback"

  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1))
  else
    for text in "${problems[@]}"; do echo "FAIL: $name: $text" >&2; done
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
