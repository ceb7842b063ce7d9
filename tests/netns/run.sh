#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the network-fault tests inside a network namespace made for them, so that their
# iptables rules drop only the test's own loopback traffic. Where that cannot be done (not
# root, no network namespaces, no usable iptables) it prints one "SKIP: <reason>" line and
# exits 77, which ctest reports as skipped; under CI (the environment variable CI is `true`
# or `1`, as CI services set it) it prints "FAIL: <reason>" and exits 1 instead, because a
# skipped suite would pass unseen there. Otherwise it exits with the tests' status, and
# always deletes the namespace.
#
#   tests/netns/run.sh NETNS_TESTS [GTEST_ARGUMENTS...]
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: run.sh NETNS_TESTS [GTEST_ARGUMENTS...]" >&2
  exit 2
fi
binary="$1"
shift
in_ci=false
case "${CI:-}" in
  1 | true | TRUE | True) in_ci=true ;;
esac
skip() {
  if [ "$in_ci" = true ]; then
    echo "FAIL: the packet-loss suite cannot run: $*; CI=$CI requires it to run (run the tests as root with iproute2 and iptables, where network namespaces can be made)" >&2
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}

# iptables and ip often live in sbin directories a non-login PATH lacks.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
[ "$EUID" -eq 0 ] || skip "needs root to make a network namespace and set iptables rules"
command -v ip >/dev/null || skip "no ip command (iproute2)"
iptables="$(command -v iptables)" || skip "no iptables command"
[ -x "$binary" ] || { echo "FAIL: $binary is not an executable" >&2; exit 1; }

# Namespaces are named after the script's PID. One whose script is gone was left by a run
# that was killed before its trap ran (ctest kills a test that times out): delete it.
prefix="cluster-client-netns-"
for stale in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$prefix"); do
  kill -0 "${stale#"$prefix"}" 2>/dev/null || ip netns delete "$stale" 2>/dev/null
done

ns="$prefix$$"
child=""
# The tests' saga logs go here (TMPDIR), so that a killed run leaves none behind.
work="$(mktemp -d)"
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [ -n "$child" ]; then kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  ip netns delete "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

error="$(ip netns add "$ns" 2>&1)" || skip "cannot make a network namespace: $error"
ip netns exec "$ns" ip link set lo up || skip "cannot bring up loopback in a network namespace"
# The rules the tests use: a chain of their own, random drops, drops by content.
probe() { ip netns exec "$ns" "$iptables" -w "$@" 2>&1; }
error="$(probe -N netns-probe &&
  probe -A netns-probe -p tcp --dport 9 -m statistic --mode random --probability 0.5 -j DROP &&
  probe -A netns-probe -p tcp --dport 9 -m string --algo bm --string probe -j DROP &&
  probe -F netns-probe && probe -X netns-probe)" || skip "iptables does not work in a network namespace: $error"

# In the background, so that a TERM from ctest reaches the trap at once, which stops the
# tests before the namespace goes.
ip netns exec "$ns" env CLUSTER_CLIENT_NETNS="$ns" CLUSTER_CLIENT_IPTABLES="$iptables" TMPDIR="$work" \
  "$binary" "$@" &
child=$!
wait "$child"
status=$?
child=""
exit "$status"
