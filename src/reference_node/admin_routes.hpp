// SPDX-License-Identifier: MIT
#pragma once

#include "reference_node/cluster_state.hpp"
#include "reference_node/exchange.hpp"

namespace cluster_client::reference_node {

/// Serves one request of the admin endpoint, which shows and changes the state of every node
/// without faults. Routes:
///   GET  /admin/state              {"nodes":[{"index","url","groups":[sorted],"requests"}]}
///   POST /admin/reset              removes every group, zeroes the request counters
///   GET  /admin/faults             the current faults, in the form POST takes
///   POST /admin/faults             replaces the faults: {"p_500_before", "p_500_after",
///                                  "p_hang_before", "p_hang_after", "p_reset", "latency_ms",
///                                  "faulty_nodes", "seed"}, every field optional (default)
///   POST /admin/nodes/<i>/groups   {"groupId":"<id>"} puts the group on node i
///   GET  /metrics                  the nodes' metrics for Prometheus: requests, groups and
///                                  injected faults per node, and the build's version
/// Bad input answers 400 with {"error":"..."}; an unknown path 404, a wrong method 405.
Reply serve_admin(ClusterState& cluster, const Request& request);

}  // namespace cluster_client::reference_node
