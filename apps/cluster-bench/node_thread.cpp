// SPDX-License-Identifier: MIT
#include "node_thread.hpp"

namespace cluster_client::bench {

NodeThread::NodeThread(int nodes, std::chrono::milliseconds latency)
    : cluster_(io_.get_executor(), options(nodes, latency)) {
    cluster_.start();
    thread_ = std::thread([this] { io_.run(); });
}

NodeThread::~NodeThread() {
    cluster_.stop();
    thread_.join();
}

reference_node::NodeClusterOptions NodeThread::options(int nodes, std::chrono::milliseconds latency) {
    reference_node::NodeClusterOptions result;
    result.nodes = nodes;
    result.faults.latency = latency;
    return result;
}

}  // namespace cluster_client::bench
