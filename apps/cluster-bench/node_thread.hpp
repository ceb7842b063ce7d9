// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "reference_node/node_cluster.hpp"

namespace cluster_client::bench {

/// Reference nodes served by threads of their own, so that the client's thread measures
/// only the client.
class NodeThread {
public:
    NodeThread(int nodes, std::chrono::milliseconds latency, int threads = 1);
    ~NodeThread();
    NodeThread(const NodeThread&) = delete;
    NodeThread& operator=(const NodeThread&) = delete;

    std::vector<std::string> urls() const { return cluster_.urls(); }
    /// The nodes themselves: their state and faults (thread-safe).
    reference_node::NodeCluster& cluster() { return cluster_; }

private:
    static reference_node::NodeClusterOptions options(int nodes, std::chrono::milliseconds latency, int threads);
    boost::asio::io_context io_;
    reference_node::NodeCluster cluster_;
    std::vector<std::thread> threads_;
};

}  // namespace cluster_client::bench
