// SPDX-License-Identifier: MIT
#pragma once

#include "reference_node/options.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cluster_client::reference_node {

class ClusterState;
class HttpServer;

/// A cluster of reference nodes served on one executor: node i speaks the group API of
/// docs/node-api.md on its own port, with the faults of NodeClusterOptions::faults, and an optional
/// admin endpoint shows and changes the state of every node (see admin_routes.hpp).
///
/// Errors: the constructor throws ConfigError for unusable options (the message names the
/// rule) and std::system_error naming the address when a port cannot be bound.
/// Threads: every member is thread-safe; the executor may be run by several threads. The
/// state accessors take a node index and throw std::out_of_range for a bad one.
class NodeCluster {
public:
    /// Binds every listener; nothing is served before start().
    NodeCluster(boost::asio::any_io_executor executor, NodeClusterOptions options);
    /// Stops.
    ~NodeCluster();
    NodeCluster(const NodeCluster&) = delete;
    NodeCluster& operator=(const NodeCluster&) = delete;

    /// Starts serving on the executor.
    void start();
    /// Closes every listener and connection, hung ones included; the executor runs out of
    /// work soon after. Idempotent; the cluster cannot be restarted.
    void stop();

    int size() const noexcept;
    /// `http://<address>:<port>` of every node, in node order.
    std::vector<std::string> urls() const;
    std::vector<std::uint16_t> ports() const;
    /// The admin endpoint's port; nullopt when there is none.
    std::optional<std::uint16_t> admin_port() const;
    /// `http://<address>:<port>` of the admin endpoint; nullopt when there is none.
    std::optional<std::string> admin_url() const;

    /// The group ids stored on `node`, sorted.
    std::vector<std::string> groups(int node) const;
    bool contains(int node, std::string_view id) const;
    /// Stores `id` on `node`, bypassing the API and its faults.
    void put(int node, std::string id);
    /// Removes `id` from `node`, bypassing the API; false when it was not there.
    bool erase(int node, std::string_view id);
    /// Removes every group of every node and zeroes the request counters.
    void clear();
    /// Replaces the faults and restarts the fault generators. Throws ConfigError when the
    /// faults are unusable.
    void set_faults(FaultOptions faults);
    FaultOptions faults() const;
    /// Requests received by `node` since the start or the last clear(), faulted ones included.
    std::uint64_t requests(int node) const;

private:
    std::shared_ptr<ClusterState> state_;
    std::shared_ptr<HttpServer> server_;
    std::vector<std::uint16_t> ports_;
    std::optional<std::uint16_t> admin_port_;
    std::optional<std::string> admin_url_;
};

}  // namespace cluster_client::reference_node
