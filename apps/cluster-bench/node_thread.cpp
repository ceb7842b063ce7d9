// SPDX-License-Identifier: MIT
#include "node_thread.hpp"

namespace cluster_client::bench {

NodeThread::NodeThread(int nodes, std::chrono::milliseconds latency, int threads)
    : io_(threads), cluster_(io_.get_executor(), options(nodes, latency, threads)) {
    cluster_.start();
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
}

NodeThread::~NodeThread() {
    cluster_.stop();
    for (auto& thread : threads_) thread.join();
}

reference_node::NodeClusterOptions NodeThread::options(int nodes, std::chrono::milliseconds latency, int threads) {
    reference_node::NodeClusterOptions result;
    result.nodes = nodes;
    result.threads = threads;
    result.faults.latency = latency;
    return result;
}

}  // namespace cluster_client::bench
