#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs a built tree into a temporary prefix, then, as a user would: builds the consumer
# project with find_package and with pkg-config, runs both against the installed
# cluster-node, and checks the installed man pages and bash completion. With cpack and
# dpkg at hand it also makes the .deb, checks that dpkg would install it, and runs the
# packaged cluster-client --help.
#
#   tests/install/run.sh BUILD_DIR
set -euo pipefail

build="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=SCRIPTDIR/../../scripts/cluster_node.sh
. "$here/../../scripts/cluster_node.sh"
work="$(mktemp -d)"
cleanup() {
  stop_cluster_node
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
libdir="$(cd "$prefix" && dirname "$(find . -name cluster_client.pc | head -1)")"
[ -f "$prefix/include/cluster_client/cluster_client.hpp" ] || fail "headers not installed"
[ -x "$prefix/bin/cluster-client" ] || fail "cluster-client not installed"

# The consumer, through the CMake package.
cmake -S "$here" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >"$work/configure.log"
cmake --build "$work/consumer" >"$work/build.log" || { cat "$work/build.log"; fail "consumer does not build with find_package"; }

# The same program, through pkg-config.
PKG_CONFIG_PATH="$prefix/$libdir" pkg-config --exists cluster_client || fail "pkg-config does not find cluster_client"
# shellcheck disable=SC2046
c++ -O1 "$here/main.cpp" -o "$work/consumer-pc" $(PKG_CONFIG_PATH="$prefix/$libdir" pkg-config --cflags --libs cluster_client) \
  || fail "consumer does not build with pkg-config"

# Both run a saga against the installed reference node.
start_cluster_node "$prefix/bin/cluster-node" 3 "$work" || fail "the installed cluster-node did not start"
"$work/consumer/consumer" "$hosts" || fail "the find_package consumer's saga failed"
"$work/consumer-pc" "$hosts" || fail "the pkg-config consumer's saga failed"
passed=2

# The Python package, when the build has it: installed where the system Python looks under
# the default prefix, and importable from the installed tree.
if [ -d "$build/python/cluster_client" ]; then
  package="$(cd "$prefix" && find . -path '*-packages/cluster_client' -type d | head -1)"
  [ -n "$package" ] || fail "the Python package was not installed"
  site="${package#./}"
  site="${site%/cluster_client}"
  /usr/bin/python3 -c "import sys; sys.exit('/usr/local/$site' not in sys.path)" \
    || fail "/usr/local/$site is not where the system Python looks"
  PYTHONPATH="$prefix/$site" /usr/bin/python3 -c "
import sys
from cluster_client import BlockingClusterClient
with BlockingClusterClient(sys.argv[1], state_dir=sys.argv[2]) as client:
    sys.exit(0 if client.create_group('installed-python') else 1)" "$hosts" "$work/python-state" \
    || fail "the installed Python package's saga failed"
  passed=$((passed + 1))
fi

for page in cluster-client cluster-node cluster-bench; do
  [ -f "$prefix/share/man/man1/$page.1" ] || fail "no man page for $page"
done
for section in "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
  grep -q "^\.SH \"\?$section\"\?\$" "$prefix/share/man/man1/cluster-client.1" \
    || fail "the cluster-client man page has no $section section"
done
[ -f "$prefix/share/bash-completion/completions/cluster-client" ] || fail "no bash completion"
[ -f "$prefix/share/fish/vendor_completions.d/cluster-client.fish" ] || fail "no fish completion"
passed=$((passed + 2))

if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
  (cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log") || { cat "$work/cpack.log"; fail "cpack failed"; }
  deb="$(ls "$work"/deb/*.deb | head -1)"
  [ -n "$deb" ] || fail "cpack made no .deb"
  if [ "$(id -u)" -eq 0 ]; then
    dpkg --dry-run -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg would not install $deb"; }
  fi
  dpkg-deb -x "$deb" "$work/unpacked"
  "$work/unpacked/usr/bin/cluster-client" --help | grep -q "cluster-client" || fail "the packaged cluster-client --help"
  passed=$((passed + 1))
fi
echo "$passed passed, 0 failed"
