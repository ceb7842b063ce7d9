# SPDX-License-Identifier: MIT
# Linked PRIVATE by every target of the project, so consumers never inherit our warnings.
add_library(cluster_client_warnings INTERFACE)
target_compile_options(cluster_client_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  $<$<BOOL:${CLUSTER_CLIENT_WARNINGS_AS_ERRORS}>:-Werror>)
