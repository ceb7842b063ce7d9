# SPDX-License-Identifier: MIT
# ccache makes rebuilds of the heavy Asio/Beast translation units cheap. Precompiled headers
# need the sloppiness below, passed through the environment of each compiler call.
find_program(CLUSTER_CLIENT_CCACHE ccache)
if(CLUSTER_CLIENT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${CLUSTER_CLIENT_CCACHE})
endif()
