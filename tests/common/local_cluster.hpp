// SPDX-License-Identifier: MIT
#pragma once

#include "reference_node/node_cluster.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cluster_client::testing {

/// A reference node cluster served in-process on its own io_context thread(s), on
/// ephemeral ports unless the options say otherwise. The constructor starts it; the
/// destructor stops it and joins its threads. The state accessors are thread-safe and
/// throw std::out_of_range for a bad node index.
class LocalCluster {
public:
    explicit LocalCluster(reference_node::NodeClusterOptions options = {}, int threads = 1);
    ~LocalCluster();
    LocalCluster(const LocalCluster&) = delete;
    LocalCluster& operator=(const LocalCluster&) = delete;

    int size() const;
    /// `http://127.0.0.1:<port>` of every node.
    const std::vector<std::string>& urls() const;
    const std::string& url(int node) const;
    /// The admin endpoint's URL; nullopt unless options.admin_port was set.
    std::optional<std::string> admin_url() const;

    /// The group ids on `node`, sorted.
    std::vector<std::string> groups(int node) const;
    bool has(int node, std::string_view id) const;
    /// The nodes holding `id`, in order.
    std::vector<int> nodes_with(std::string_view id) const;
    void put(int node, std::string id);
    bool erase(int node, std::string_view id);
    /// Removes every group and zeroes the request counters.
    void clear();
    void set_faults(reference_node::FaultOptions faults);
    std::uint64_t requests(int node) const;

    reference_node::NodeCluster& cluster();

    /// Stops serving before destruction: connections are closed, hung ones included.
    void stop();

private:
    struct Runner;
    std::unique_ptr<Runner> runner_;
    std::vector<std::string> urls_;
};

}  // namespace cluster_client::testing
