#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs a built tree into a temporary prefix, then, as a user would: builds the consumer
# project with find_package and with pkg-config, runs both against the installed
# cluster-node, and checks the installed man pages and completions. A shared build
# (BUILD_SHARED_LIBS) must give a versioned library that both consumers run on. With cpack
# and dpkg at hand it also makes the two .debs (the programs, and -dev), checks what each
# holds and needs, that dpkg would install them, that lintian finds no error in them, and
# runs the packaged cluster-client and Python package.
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
lib="${libdir#./}"
lib="${lib%/pkgconfig}"
multiarch="$(gcc -print-multiarch 2>/dev/null || true)"
if [ -n "$multiarch" ]; then
  [ "$lib" = "lib/$multiarch" ] || fail "the library went to $libdir, not the multiarch lib/$multiarch"
fi
shared=""
if grep -Eiq '^BUILD_SHARED_LIBS:[A-Z]+=(ON|1|TRUE|YES)$' "$build/CMakeCache.txt"; then
  shared=yes
  version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")"
  soname="libcluster_client.so.${version%.*}"
  library="$prefix/$lib/libcluster_client.so.$version"
  [ -f "$library" ] || fail "no shared library $library"
  readelf -d "$library" | grep -q "SONAME.*\[$soname\]" || fail "$library's SONAME is not $soname"
  [ -L "$prefix/$lib/libcluster_client.so" ] || fail "no libcluster_client.so link for the linker"
  ls "$prefix/$lib"/libcluster_client_*.a >/dev/null 2>&1 && fail "a shared install holds the layers' archives"
fi

# The consumer, through the CMake package.
cmake -S "$here" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >"$work/configure.log"
cmake --build "$work/consumer" >"$work/build.log" || { cat "$work/build.log"; fail "consumer does not build with find_package"; }

# The same program, through pkg-config.
PKG_CONFIG_PATH="$prefix/$libdir" pkg-config --exists cluster_client || fail "pkg-config does not find cluster_client"
# shellcheck disable=SC2046
c++ -O1 "$here/main.cpp" -o "$work/consumer-pc" $(PKG_CONFIG_PATH="$prefix/$libdir" pkg-config --cflags --libs cluster_client) \
  || fail "consumer does not build with pkg-config"

# Both run a saga against the installed reference node; a shared build's both on the
# installed shared library.
if [ -n "$shared" ]; then
  for program in "$work/consumer/consumer" "$work/consumer-pc"; do
    readelf -d "$program" | grep -q "NEEDED.*\[$soname\]" || fail "$program does not use $soname"
  done
  export LD_LIBRARY_PATH="$prefix/$lib"
fi
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
  [ -f "$prefix/share/man/man1/$page.1.gz" ] || fail "no man page for $page"
done
for section in "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
  zcat "$prefix/share/man/man1/cluster-client.1.gz" | grep -q "^\.SH \"\?$section\"\?\$" \
    || fail "the cluster-client man page has no $section section"
done
[ -f "$prefix/share/bash-completion/completions/cluster-client" ] || fail "no bash completion"
[ -f "$prefix/share/fish/vendor_completions.d/cluster-client.fish" ] || fail "no fish completion"
passed=$((passed + 2))

if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
  (cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log") || { cat "$work/cpack.log"; fail "cpack failed"; }
  programs="$(ls "$work"/deb/cluster-client_*.deb 2>/dev/null | head -1)"
  dev="$(ls "$work"/deb/cluster-client-dev_*.deb 2>/dev/null | head -1)"
  [ -n "$programs" ] && [ -n "$dev" ] || { ls "$work/deb"; fail "cpack did not make the programs and -dev packages"; }
  holds() { dpkg-deb -c "$1" | awk '{print $6}' | grep -qx "$2"; }
  holds "$programs" ./usr/bin/cluster-client || fail "the programs package has no cluster-client"
  holds "$programs" ./usr/share/man/man1/cluster-client.1.gz || fail "the programs package has no man page"
  holds "$programs" ./usr/share/doc/cluster-client/copyright || fail "the programs package has no copyright"
  dpkg-deb -c "$programs" | grep -q '/usr/include/' && fail "the programs package holds headers"
  dpkg-deb -f "$programs" Depends | grep -q -- '-dev' && fail "the programs package needs development packages: $(dpkg-deb -f "$programs" Depends)"
  holds "$dev" ./usr/include/cluster_client/cluster_client.hpp || fail "the -dev package has no headers"
  holds "$dev" "./usr/$lib/pkgconfig/cluster_client.pc" || fail "the -dev package has no pkg-config file"
  holds "$dev" "./usr/$lib/cmake/cluster_client/cluster_clientConfig.cmake" \
    || fail "the -dev package has no CMake package"
  holds "$dev" ./usr/share/doc/cluster-client-dev/copyright || fail "the -dev package has no copyright"
  dpkg-deb -c "$dev" | grep -q '/usr/bin/' && fail "the -dev package holds programs"
  packages=("$programs" "$dev")
  if [ -n "$shared" ]; then
    # The shared library has a package of its own, named after its soname.
    library_deb="$(ls "$work"/deb/libcluster-client"${version%.*}"_*.deb 2>/dev/null | head -1)"
    [ -n "$library_deb" ] || { ls "$work/deb"; fail "no libcluster-client${version%.*} package"; }
    holds "$library_deb" "./usr/$lib/libcluster_client.so.$version" || fail "the library package has no $soname"
    for package in "$programs" "$dev"; do
      dpkg-deb -f "$package" Depends | grep -q "libcluster-client${version%.*} (= $version)" \
        || fail "$package does not depend on the library package"
    done
    packages+=("$library_deb")
    dpkg-deb -x "$library_deb" "$work/unpacked"
  fi
  if [ "$(id -u)" -eq 0 ]; then
    dpkg --dry-run -i "${packages[@]}" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg would not install them"; }
  fi
  if command -v lintian >/dev/null; then
    lintian --fail-on error "${packages[@]}" >"$work/lintian.log" 2>&1 \
      || { cat "$work/lintian.log"; fail "lintian finds errors in the packages"; }
  fi
  dpkg-deb -x "$programs" "$work/unpacked"
  LD_LIBRARY_PATH="$work/unpacked/usr/$lib" "$work/unpacked/usr/bin/cluster-client" --help \
    | grep -q "cluster-client" || fail "the packaged cluster-client --help"
  if [ -d "$build/python/cluster_client" ]; then
    PYTHONPATH="$work/unpacked/usr/lib/python3/dist-packages" /usr/bin/python3 -c 'import cluster_client' \
      || fail "the packaged Python package is not where Debian's Python finds it under /usr"
  fi
  passed=$((passed + 1))
fi
echo "$passed passed, 0 failed"
