#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the layout of every tracked C++ file against .clang-format, then runs clang-tidy
# with .clang-tidy on the sans-io layers (the step and saga machines, admission, claims,
# retry, node_api encoding and ids): the code where a decision can be wrong, and cheap
# enough to analyse on every run (under three minutes on two cores).
# Usage: scripts/lint.sh [PRESET]   (default: dev; the preset must be configured, as
# scripts/test.sh does, for its compile_commands.json)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
build="build/$preset"

for tool in clang-format clang-tidy python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "lint.sh: $tool not found (scripts/install-deps.sh installs it)" >&2
    exit 2
  fi
done

status=0
echo "lint: clang-format"
git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run -Werror || status=1

if [ ! -f "$build/compile_commands.json" ]; then
  echo "lint.sh: $build/compile_commands.json is missing: run cmake --preset $preset first" >&2
  exit 2
fi

# The build's commands force-include a GCC precompiled header, which clang cannot read: the
# analysis gets the same commands without it (each file includes what it uses).
database=$(mktemp -d)
trap 'rm -rf "$database"' EXIT
python3 - "$build/compile_commands.json" "$database/compile_commands.json" <<'PY'
import json, shlex, sys
commands = []
for entry in json.load(open(sys.argv[1])):
    words = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    kept, skip = [], False
    for i, word in enumerate(words):
        if skip:
            skip = False
        elif word == "-include" and i + 1 < len(words) and "cmake_pch" in words[i + 1]:
            skip = True
        elif word != "-Winvalid-pch":
            kept.append(word)
    commands.append({"directory": entry["directory"], "file": entry["file"], "arguments": kept})
json.dump(commands, open(sys.argv[2], "w"))
PY

files=(
  src/saga/create_step.cpp src/saga/delete_step.cpp src/saga/read_step.cpp src/saga/step.cpp
  src/saga/saga_machine.cpp src/saga/saga_plan.cpp src/saga/claim.cpp src/saga/admission.cpp
  src/retry/circuit_breaker.cpp src/retry/retry_budget.cpp src/retry/retry_policy.cpp
  src/node_api/encoding.cpp src/node_api/group_id.cpp
)
echo "lint: clang-tidy on ${#files[@]} files"
# clang-tidy counts the warnings it suppressed in system headers on stderr; only findings matter.
if ! printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P 2 clang-tidy -p "$database" --quiet 2>&1 |
  { grep -v '^[0-9]* warnings\? generated\.$' || true; }; then
  status=1
fi

[ "$status" -eq 0 ] && echo "lint: clean"
exit "$status"
