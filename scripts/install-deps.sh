#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages the build needs, only those missing. Boost comes as the
# 1.81 packages: libboost-dev / libboost-all-dev are 1.74 and conflict with them. iproute2
# and iptables serve the packet-loss suite, clang and its runtime the fuzz targets,
# clang-format and clang-tidy (14) scripts/lint.sh, PostgreSQL's server and libpq the
# shared saga log's tests (scripts/pg-cluster.sh starts a throwaway server), pybind11 and
# Python's headers the Python package, pytest its tests, httpx and tenacity the seed's
# algorithm in bench/python_vs_seed.py, tmux the progress line's test in a real terminal, fish
# and zsh the tests of their completion, strace the test that counts the saga log's syncs
# (--durability), prometheus-cpp the metrics and prometheus (promtool) their checks, lintian
# the .debs.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libspdlog-dev libcli11-dev libgtest-dev libsqlite3-dev libbenchmark-dev libtomlplusplus-dev
  python3 wrk help2man dpkg-dev file openssl tmux fish zsh strace lintian
  iproute2 iptables clang libclang-rt-14-dev
  clang-format clang-tidy
  postgresql-15 libpq-dev
  prometheus-cpp-dev prometheus
  pybind11-dev python3-dev python3-pytest python3-httpx python3-tenacity
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
