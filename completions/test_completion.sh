#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the bash completion of cluster-client: sources the script that
# `cluster-client completion bash` prints, simulates what bash passes to the completion
# function for a line typed up to the cursor, and compares the words offered. The cases run
# without the bash-completion package, then again with it when it is installed. Stops at the
# first failure (exit 1).
#
# Usage: test_completion.sh CLUSTER_CLIENT
set -u

program=${1:?usage: test_completion.sh CLUSTER_CLIENT}
program=$(realpath "$program")
script=$("$program" completion bash) || {
    echo "FAIL: cluster-client completion bash"
    exit 1
}
# shellcheck disable=SC1090
source <(printf '%s\n' "$script")

passed=0
failed=0
mode="without bash-completion"

# Files for --from-file, --token-file, --ca-file and --state-dir.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/logs"
: >"$scratch/ids.txt"
: >"$scratch/more-ids.txt"
: >"$scratch/a:b.txt"
cd "$scratch" || exit 1

# Sets COMP_LINE, COMP_POINT, COMP_WORDS and COMP_CWORD as bash does for LINE with the cursor
# at its end: words split at blanks, and at "=" and ":" (each run of them a word of its own).
simulate() {
    local line=$1 word piece
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMP_WORDS=()
    for word in $line; do
        while [[ -n $word ]]; do
            if [[ $word =~ ^[=:]+ || $word =~ ^[^=:]+ ]]; then
                piece=${BASH_REMATCH[0]}
                COMP_WORDS+=("$piece")
                word=${word:${#piece}}
            fi
        done
    done
    [[ $line == *[[:space:]] ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
}

# check LINE EXPECTED...: the words offered for LINE are exactly EXPECTED, in any order.
check() {
    local line=$1 expected word found
    shift
    simulate "$line"
    COMPREPLY=()
    _cluster_client
    local ok=yes
    ((${#COMPREPLY[@]} == $#)) || ok=""
    for expected in "$@"; do
        found=""
        for word in "${COMPREPLY[@]}"; do
            [[ $word == "$expected" ]] && found=yes
        done
        [[ -n $found ]] || ok=""
    done
    if [[ -n $ok ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL ($mode): '$line'"
        echo "  expected: $*"
        echo "  got:      ${COMPREPLY[*]}"
        echo "$passed passed, $failed failed"
        exit 1
    fi
}

# The long options `cluster-client --help` lists (an option's line starts with two blanks,
# then `-h,--help` or `--name`): the completion must offer every one of them, and no other.
mapfile -t global_long < <("$program" --help | sed -n 's/^  \(-h,\)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p')
if ((${#global_long[@]} < 20)); then
    echo "FAIL: cluster-client --help lists ${#global_long[@]} long options: ${global_long[*]}"
    exit 1
fi

run_cases() {
    # Command names.
    check "cluster-client " create delete ensure verify recover sagas prune config demo completion
    check "cluster-client c" create config completion
    check "cluster-client cr" create
    check "cluster-client s" sagas
    check "cluster-client --attempts 3 " create delete ensure verify recover sagas prune config demo completion
    check "cluster-client --deadline=2s ver" verify
    check "cluster-client --hosts http://a:8001,b:8002 e" ensure

    # Option names: the global ones, and those of the command being typed.
    check "cluster-client --" "${global_long[@]}"
    check "cluster-client -" -h "${global_long[@]}"
    check "cluster-client create --" "${global_long[@]}" --from-file
    check "cluster-client delete --co" --config --concurrency --color
    check "cluster-client --hosts http://a:8001 verify --f" --from-file
    check "cluster-client --output json ensure --from" --from-file
    check "cluster-client demo --no" --no-saga-log --no-recover --nodes --no-faults
    check "cluster-client demo --g" --group
    check "cluster-client sagas --l" --limit --log-level --lock-wait --lease-ttl
    check "cluster-client recover --" "${global_long[@]}"
    check "cluster-client prune --ol" --older-than
    check "cluster-client --du" --durability
    check "cluster-client --insecure cr" create
    check "cluster-client --i" --insecure --initial-backoff

    # Fixed values.
    check "cluster-client --output " text json
    check "cluster-client --output=j" json
    check "cluster-client --output=" text json
    check "cluster-client --log-level " trace debug info warn error critical off
    check "cluster-client create --durability m" machine
    check "cluster-client --ownership " strict fast
    check "cluster-client verify g1 --delete-mode f" forward

    # Files after --from-file ('-': stdin), directories after --state-dir.
    check "cluster-client create --from-file " - a:b.txt ids.txt logs more-ids.txt
    check "cluster-client create --from-file i" ids.txt
    check "cluster-client delete --from-file=m" more-ids.txt
    check "cluster-client create --from-file a:" b.txt
    check "cluster-client --token-file " a:b.txt ids.txt logs more-ids.txt
    check "cluster-client verify --ca-file=mo" more-ids.txt
    check "cluster-client --state-dir " logs
    check "cluster-client --state-dir=l" logs

    # Nothing after an option taking a free value, for group ids, or after an unknown command.
    check "cluster-client --attempts "
    check "cluster-client --hosts "
    check "cluster-client create --lock-wait "
    check "cluster-client create --concurrency 1"
    check "cluster-client demo --nodes "
    check "cluster-client create g1 "
    check "cluster-client create -- "
    check "cluster-client recover "
    check "cluster-client bogus --"
    check "cluster-client --no-recover="
}

run_cases

for bash_completion in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
    # shellcheck disable=SC1090
    if [[ -r $bash_completion ]] && source "$bash_completion" 2>/dev/null &&
        declare -F _init_completion >/dev/null; then
        # shellcheck disable=SC1090
        source <(printf '%s\n' "$script")
        mode="with bash-completion"
        run_cases
        break
    fi
done

echo "$passed passed, $failed failed"
