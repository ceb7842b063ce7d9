// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cluster_client::reference_node {

/// Faults the reference node injects into its API routes (never into the admin endpoint).
///
/// Each faulty node makes one uniform draw in [0, 1) per request and picks at most one fault
/// from consecutive bands in the order of the fields below (p_500_before first, p_reset
/// last), so the probabilities must sum to at most 1. Every node has its own generator seeded
/// with `seed + index`: the same seed and the same request order give the same faults.
struct FaultOptions {
    /// 0: answer 500 without applying the request.
    double p_500_before = 0.0;
    /// 0: apply the request, then answer 500.
    double p_500_after = 0.0;
    /// 0: never answer and do not apply (the client times out).
    double p_hang_before = 0.0;
    /// 0: apply the request, then never answer (the client times out).
    double p_hang_after = 0.0;
    /// 0: reset the connection (TCP RST) without applying the request.
    double p_reset = 0.0;
    /// 0 ms: delay before every request is handled, on every node (faulty or not).
    std::chrono::milliseconds latency{0};
    /// empty: the node indices the probabilities apply to; empty means every node.
    std::vector<int> faulty_nodes{};
    /// 1: seed of the per-node generators.
    std::uint64_t seed = 1;
};

/// The reference cluster: `nodes` nodes served by one process, with optional faults.
struct NodeClusterOptions {
    /// 3: number of nodes (1 to 10000).
    int nodes = 3;
    /// "127.0.0.1": address every listener binds.
    std::string bind = "127.0.0.1";
    /// 0: node i listens on base_port + i; 0 gives every node its own ephemeral port.
    std::uint16_t base_port = 0;
    /// nullopt: port of the admin endpoint; nullopt means none, 0 an ephemeral port.
    std::optional<std::uint16_t> admin_port{};
    /// none: injected faults, see FaultOptions.
    FaultOptions faults{};
    /// 404: what DELETE of a missing group answers (404, or 200 / 400 to emulate other nodes).
    unsigned delete_missing_status = 404;
    /// 1: threads that run the cluster's executor. With one, that thread orders every
    /// handler and connections need no strands, which saves a lock per handler.
    int threads = 1;
    /// empty: a PEM certificate chain and its private key; with both, the nodes serve https
    /// (the admin endpoint stays http).
    std::string tls_cert_file;
    std::string tls_key_file;
    /// empty: with https, a PEM CA bundle; when set, clients must present a certificate it
    /// signed (mutual TLS).
    std::string tls_client_ca_file;
};

/// Largest cluster one process serves.
inline constexpr int max_nodes = 10000;

/// Why `faults` is unusable for a cluster of `nodes` nodes, naming the rule it breaks
/// (probabilities in [0, 1] summing to at most 1, latency >= 0, faulty node indices in
/// [0, nodes)); nullopt when it is usable.
std::optional<std::string> fault_options_error(const FaultOptions& faults, int nodes);

/// Why `options` is unusable, naming the rule it breaks; nullopt when it is usable.
std::optional<std::string> node_cluster_options_error(const NodeClusterOptions& options);

}  // namespace cluster_client::reference_node
