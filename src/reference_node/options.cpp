// SPDX-License-Identifier: MIT
#include "reference_node/options.hpp"

#include <boost/asio/ip/address.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace cluster_client::reference_node {
namespace {

// Sums of decimal fractions such as 0.1 + 0.2 + 0.7 land a few ulps above 1.
constexpr double sum_tolerance = 1e-9;

}  // namespace

std::optional<std::string> fault_options_error(const FaultOptions& faults, int nodes) {
    const std::array<std::pair<std::string_view, double>, 5> probabilities{{
        {"--p-500-before", faults.p_500_before},
        {"--p-500-after", faults.p_500_after},
        {"--p-hang-before", faults.p_hang_before},
        {"--p-hang-after", faults.p_hang_after},
        {"--p-reset", faults.p_reset},
    }};
    double sum = 0.0;
    for (const auto& [name, p] : probabilities) {
        if (!std::isfinite(p) || p < 0.0 || p > 1.0) {
            return std::string(name) + " must be a probability in [0, 1], got " + std::to_string(p);
        }
        sum += p;
    }
    if (sum > 1.0 + sum_tolerance) {
        return "the fault probabilities must sum to at most 1 (one fault per request), got " + std::to_string(sum);
    }
    if (faults.latency.count() < 0) {
        return "--latency-ms must be >= 0, got " + std::to_string(faults.latency.count());
    }
    for (const int index : faults.faulty_nodes) {
        if (index < 0 || index >= nodes) {
            return "--faulty-nodes: node index " + std::to_string(index) + " must be in [0, " + std::to_string(nodes) +
                   ")";
        }
    }
    return std::nullopt;
}

std::optional<std::string> node_cluster_options_error(const NodeClusterOptions& options) {
    if (options.nodes < 1 || options.nodes > max_nodes) {
        return "the node count must be in [1, " + std::to_string(max_nodes) + "], got " + std::to_string(options.nodes);
    }
    if (options.base_port != 0 && options.base_port + options.nodes - 1 > 65535) {
        return "base port " + std::to_string(options.base_port) + " + " + std::to_string(options.nodes) +
               " nodes exceeds port 65535";
    }
    if (options.threads < 1) return std::string("the thread count must be at least 1");
    if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
        return std::string("--tls-cert and --tls-key go together");
    }
    if (!options.tls_client_ca_file.empty() && options.tls_cert_file.empty()) {
        return std::string("--tls-client-ca needs --tls-cert and --tls-key");
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(options.bind, ec);
    if (ec) return "bind address '" + options.bind + "' is not an IPv4 or IPv6 address";
    const unsigned status = options.delete_missing_status;
    if (status != 404 && status != 200 && status != 400) {
        return "--delete-missing must be 404, 200 or 400, got " + std::to_string(status);
    }
    return fault_options_error(options.faults, options.nodes);
}

}  // namespace cluster_client::reference_node
