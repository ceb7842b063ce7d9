// SPDX-License-Identifier: MIT
#include "local_cluster.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <thread>

namespace cluster_client::testing {

namespace {

reference_node::NodeClusterOptions with_threads(reference_node::NodeClusterOptions options, int threads) {
    options.threads = threads;
    return options;
}

}  // namespace

// The io_context is declared first: it outlives the cluster, whose coroutines it owns.
struct LocalCluster::Runner {
    Runner(reference_node::NodeClusterOptions options, int thread_count)
        : io(thread_count), cluster(io.get_executor(), with_threads(std::move(options), thread_count)) {
        cluster.start();
        for (int i = 0; i < thread_count; ++i) threads.emplace_back([this] { io.run(); });
    }

    void stop() {
        cluster.stop();
        // Once every listener and connection is closed the io_context runs out of work.
        for (std::thread& thread : threads) {
            if (thread.joinable()) thread.join();
        }
    }

    boost::asio::io_context io;
    reference_node::NodeCluster cluster;
    std::vector<std::thread> threads;
};

LocalCluster::LocalCluster(reference_node::NodeClusterOptions options, int threads)
    : runner_(std::make_unique<Runner>(std::move(options), std::max(threads, 1))), urls_(runner_->cluster.urls()) {}

LocalCluster::~LocalCluster() {
    runner_->stop();
}

void LocalCluster::stop() {
    runner_->stop();
}

int LocalCluster::size() const {
    return runner_->cluster.size();
}

const std::vector<std::string>& LocalCluster::urls() const {
    return urls_;
}

const std::string& LocalCluster::url(int node) const {
    return urls_.at(static_cast<std::size_t>(node));
}

std::optional<std::string> LocalCluster::admin_url() const {
    return runner_->cluster.admin_url();
}

std::vector<std::string> LocalCluster::groups(int node) const {
    return runner_->cluster.groups(node);
}

bool LocalCluster::has(int node, std::string_view id) const {
    return runner_->cluster.contains(node, id);
}

std::vector<int> LocalCluster::nodes_with(std::string_view id) const {
    std::vector<int> nodes;
    for (int i = 0; i < size(); ++i) {
        if (has(i, id)) nodes.push_back(i);
    }
    return nodes;
}

void LocalCluster::put(int node, std::string id) {
    runner_->cluster.put(node, std::move(id));
}

bool LocalCluster::erase(int node, std::string_view id) {
    return runner_->cluster.erase(node, id);
}

void LocalCluster::clear() {
    runner_->cluster.clear();
}

void LocalCluster::set_faults(reference_node::FaultOptions faults) {
    runner_->cluster.set_faults(std::move(faults));
}

std::uint64_t LocalCluster::requests(int node) const {
    return runner_->cluster.requests(node);
}

reference_node::NodeCluster& LocalCluster::cluster() {
    return runner_->cluster;
}

}  // namespace cluster_client::testing
