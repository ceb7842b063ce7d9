// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cluster_client::http {

/// Where one node is reached: parsed from `http://host[:port][/prefix]`, `https://...`, or a
/// bare `host[:port]` (which means http). IPv6 literals are written `[::1]:8080`.
struct Endpoint {
    bool tls = false;
    std::string host;         ///< name or address, without brackets
    std::uint16_t port = 80;  ///< 80 / 443 when not given
    std::string path_prefix;  ///< "" or "/a/b", never a trailing slash

    /// The canonical text, e.g. `http://127.0.0.1:8080/prefix`; used as the host's name in
    /// reports, so the same node written two ways compares equal.
    std::string url() const;

    /// The value of the Host header (`host` or `host:port` when not the default port).
    std::string host_header() const;

    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

/// Parses one host. Throws ConfigError naming the rule when it is not a valid host: a scheme
/// other than http/https, no host, a port outside 1..65535, a query, a fragment, user info.
Endpoint parse_endpoint(std::string_view text);

/// Parses a comma-separated list (empty items are ignored, spaces around items trimmed).
/// Throws ConfigError when the list is empty, an item is invalid, or two items name the
/// same node.
std::vector<Endpoint> parse_host_list(std::string_view comma_separated);

/// Parses already-split hosts with the same rules as parse_host_list.
std::vector<Endpoint> parse_hosts(const std::vector<std::string>& hosts);

}  // namespace cluster_client::http
