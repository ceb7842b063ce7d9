# SPDX-License-Identifier: MIT
# ccache makes rebuilds of the heavy Asio/Beast translation units cheap. Precompiled headers
# need the sloppiness below, passed through the environment of each compiler call. Paths
# are hashed relative to the source tree (and the build directory is left out of the hash),
# so a fresh clone, such as CI's, reuses what an earlier build of the same sources compiled;
# its debug information then names the first build's directories.
find_program(CLUSTER_CLIENT_CCACHE ccache)
if(CLUSTER_CLIENT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=true CCACHE_MAXSIZE=20G
      ${CLUSTER_CLIENT_CCACHE})
endif()
