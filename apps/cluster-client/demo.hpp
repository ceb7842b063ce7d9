// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>

#include "output.hpp"

namespace cluster_client::cli {

struct DemoOptions {
    /// "demo-group": the group id the demo creates, verifies and deletes.
    std::string group = "demo-group";
    /// 3: nodes in the local cluster.
    int nodes = 3;
    /// true: nodes answer 500 before or after applying, and reset connections, now and then.
    bool faults = true;
};

/// Starts a local cluster of reference nodes in this process, creates, verifies and deletes
/// a group on it, showing each saga's per-host report next to the nodes' real state, then
/// stops the cluster. Returns the exit code: 0 when every saga ended as expected.
int run_demo(const DemoOptions& options, OutputFormat format, std::ostream& out, std::ostream& err);

}  // namespace cluster_client::cli
