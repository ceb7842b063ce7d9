#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What the packet-loss suite does where it cannot run: skipped with a reason outside CI,
# failed naming what is missing under CI (CI=true or CI=1), both from run.sh and from the
# test binary itself. An `ip` that always fails, first on PATH, makes a namespace
# impossible whoever runs this; the binary run outside run.sh is in no namespace of its own.
#
#   tests/netns/cannot_run_test.sh RUN_SH NETNS_TESTS
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: cannot_run_test.sh RUN_SH NETNS_TESTS" >&2
  exit 2
fi
run_sh="$1"
binary="$2"
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

fake="$(mktemp -d)"
trap 'rm -rf "$fake"' EXIT
printf '#!/bin/sh\necho "ip: disabled by cannot_run_test.sh" >&2\nexit 1\n' >"$fake/ip"
chmod +x "$fake/ip"

# run.sh never reaches its binary here: /bin/true would turn a wrong "ran" into a pass.
check_run_sh() {
  local ci="$1" expected="$2" pattern="$3" output status
  if [ "$ci" = unset ]; then
    output="$(env -u CI PATH="$fake:$PATH" bash "$run_sh" /bin/true 2>&1)"
  else
    output="$(env CI="$ci" PATH="$fake:$PATH" bash "$run_sh" /bin/true 2>&1)"
  fi
  status=$?
  echo "run.sh with CI=$ci: exit $status: $output"
  [ "$status" -eq "$expected" ] || fail "run.sh with CI=$ci exited $status, not $expected"
  grep -q "$pattern" <<<"$output" || fail "run.sh with CI=$ci did not print '$pattern'"
}
check_run_sh unset 77 '^SKIP: '
check_run_sh false 77 '^SKIP: '
check_run_sh true 1 '^FAIL: the packet-loss suite cannot run: .*CI=true requires it to run'
check_run_sh 1 1 '^FAIL: the packet-loss suite cannot run: .*CI=1 requires it to run'

check_binary() {
  local ci="$1" expected="$2" pattern="$3" output status
  if [ "$ci" = unset ]; then
    output="$(env -u CI -u CLUSTER_CLIENT_NETNS "$binary" 2>&1)"
  else
    output="$(env -u CLUSTER_CLIENT_NETNS CI="$ci" "$binary" 2>&1)"
  fi
  status=$?
  echo "netns_tests with CI=$ci: exit $status"
  [ "$status" -eq "$expected" ] || fail "netns_tests with CI=$ci exited $status, not $expected"
  grep -q "$pattern" <<<"$output" || fail "netns_tests with CI=$ci did not print '$pattern': $output"
}
check_binary unset 0 'SKIPPED'
check_binary true 1 'cannot run, and CI is set, where a skip would pass unseen: not started in a network namespace'

[ "$failures" -eq 0 ] || exit 1
echo "all checks passed"
