// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace cluster_client::testing {

/// `http://127.0.0.1:<port>` where nothing listens: a port that was free a moment ago.
/// Connecting to it is refused, as to a node that is down.
std::string dead_node_url();

}  // namespace cluster_client::testing
