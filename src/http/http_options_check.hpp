// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include <cluster_client/errors.hpp>
#include <cluster_client/options.hpp>

namespace cluster_client::http {

/// Throws ConfigError naming the rule when the transport options cannot work: no connection
/// allowed per host (every request would wait for one until it timed out), a header limit
/// of zero (every answer would be refused), a body limit of zero (no group could be read), or a client certificate
/// without its key or a key without its certificate. Files are not opened here: make_tls_context does that.
inline void check_http_options(const HttpOptions& options) {
    if (options.max_connections_per_host == 0) {
        throw ConfigError(
            "http: max_connections_per_host must be at least 1 (got 0): with no connection, "
            "every request waits until it times out");
    }
    if (options.max_header_bytes == 0) {
        throw ConfigError("http: max_header_bytes must be at least 1 (got 0): every answer would be refused");
    }
    if (options.max_body_bytes == 0) {
        throw ConfigError("http: max_body_bytes must be at least 1 (got 0): no group record could be read");
    }
    if (options.cert_file.empty() != options.key_file.empty()) {
        throw ConfigError(std::string("http: cert_file and key_file go together (got ") +
                          (options.cert_file.empty() ? "key_file without cert_file" : "cert_file without key_file") +
                          ")");
    }
}

}  // namespace cluster_client::http
