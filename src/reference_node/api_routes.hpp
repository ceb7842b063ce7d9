// SPDX-License-Identifier: MIT
#pragma once

#include "reference_node/exchange.hpp"
#include "reference_node/node_state.hpp"

namespace cluster_client::reference_node {

/// Serves one request of the node group API on `node`: applies it and says what to answer.
/// `delete_missing_status` is what DELETE of a missing group answers. Routes:
///   POST   /v1/group/       {"groupId":"<id>"}  201, or 400 (exists, bad body, bad id)
///   DELETE /v1/group/       {"groupId":"<id>"}  200, or delete_missing_status, or 400
///   GET    /v1/group/<id>/  (also without the trailing slash)  200 {"groupId":"<id>"} or 404
/// Any other path answers 404, another method on a known path 405.
Reply serve_api(NodeState& node, const Request& request, unsigned delete_missing_status);

}  // namespace cluster_client::reference_node
