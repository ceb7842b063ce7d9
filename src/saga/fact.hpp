// SPDX-License-Identifier: MIT
#pragma once

namespace cluster_client::saga {

/// A fact about one node that recovery needs, made durable before the request that
/// depends on it (DESIGN.md section 7).
enum class Fact {
    absent_before,   ///< create: the group was not there, so whatever appears is ours
    present_before,  ///< delete: the group was there, so its absence is our doing
    created,         ///< this saga created the group there (fast ownership records this)
    deleted,         ///< this saga deleted the group there
};

}  // namespace cluster_client::saga
