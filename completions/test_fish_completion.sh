#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the fish and zsh completion of cluster-client in the shells themselves: fish
# answers `complete -C LINE` from the script `cluster-client completion fish` prints; zsh,
# after compinit, registers the bash script's function for cluster-client.
#
# Usage: test_fish_completion.sh CLUSTER_CLIENT
set -uo pipefail

program=${1:?usage: test_fish_completion.sh CLUSTER_CLIENT}
for shell in fish zsh; do
    command -v "$shell" >/dev/null || { echo "FAIL: $shell not found (scripts/install-deps.sh installs it)"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$program" completion fish >"$work/cluster-client.fish" || { echo "FAIL: cluster-client completion fish"; exit 1; }
"$program" completion zsh >"$work/cluster-client.zsh" || { echo "FAIL: cluster-client completion zsh"; exit 1; }

passed=0
# check LINE WORD...: fish's candidates for LINE are exactly WORD... (descriptions dropped).
check() {
    local line=$1
    shift
    local got expected
    got=$(fish --no-config -c "source $work/cluster-client.fish; complete -C '$line'" | cut -f1 | sort | tr '\n' ' ')
    expected=""
    (($#)) && expected=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    if [[ $got != "$expected" ]]; then
        echo "FAIL (fish): '$line'"
        echo "  expected: $expected"
        echo "  got:      $got"
        exit 1
    fi
    passed=$((passed + 1))
}

check "cluster-client cr" create
check "cluster-client c" create config completion
check "cluster-client --outp" --output
check "cluster-client --output " text json
check "cluster-client create --durability m" machine
check "cluster-client delete --ign" --ignore-not-found
check "cluster-client create --ign"
check "cluster-client prune --ol" --older-than
check "cluster-client completion " bash zsh fish

registered=$(zsh -f -c "autoload -U compinit && compinit -u -D; source $work/cluster-client.zsh; print -r -- \${_comps[cluster-client]}")
if [[ $registered != *_cluster_client* ]]; then
    echo "FAIL (zsh): cluster-client's completion is '$registered', not the script's _cluster_client"
    exit 1
fi
passed=$((passed + 1))
echo "$passed passed, 0 failed"
