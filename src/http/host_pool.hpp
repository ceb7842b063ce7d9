// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cluster_client/options.hpp>

#include "http/endpoint.hpp"
#include "http/wire.hpp"

namespace cluster_client::http {

/// One request to a node; `path` is appended to the endpoint's path prefix.
struct Request {
    Method method = Method::get;
    std::string path;
    std::string json_body;  ///< sent with Content-Type: application/json when not empty
};

/// A complete answer from the node, whatever its status.
struct Response {
    unsigned status = 0;
    std::string body;
    std::optional<std::chrono::milliseconds> retry_after;  ///< from a `Retry-After: <seconds>`
};

/// Why an attempt got no complete answer. The kind drives everything above this layer.
struct Failure {
    enum class Kind {
        not_sent,       ///< no byte of the request reached the node: it did not apply it
        maybe_applied,  ///< the request was (maybe partly) sent: the node may have applied it
    };
    Kind kind = Kind::not_sent;
    std::string message;     ///< names the phase and the cause: "connect: Connection refused"
    bool permanent = false;  ///< retrying cannot help (a TLS certificate was refused)
};

using Outcome = std::variant<Response, Failure>;

/// The keep-alive connections to one node, bounded by max_connections_per_host; requests
/// beyond that wait (within their timeout) for a connection to come back.
///
/// Not thread-safe: every call must come from the same executor, which must be a single
/// thread or a strand. A pooled connection found closed by the node is dropped before use;
/// a reused connection that fails before any byte was written is retried once on a new one.
class HostPool {
public:
    /// `tls` is used for https endpoints and must outlive the pool; it may be null for http.
    HostPool(boost::asio::any_io_executor executor, Endpoint endpoint, const HttpOptions& options,
             boost::asio::ssl::context* tls);
    ~HostPool();
    HostPool(const HostPool&) = delete;
    HostPool& operator=(const HostPool&) = delete;

    /// Sends `request` and reads the answer, all within `timeout`. Never throws for a
    /// failure of the node or the network: that is a Failure.
    boost::asio::awaitable<Outcome> send(Request request, std::chrono::milliseconds timeout);

    const Endpoint& endpoint() const { return endpoint_; }
    std::size_t open_connections() const { return open_; }
    std::size_t idle_connections() const { return idle_.size(); }

    struct Connection;

private:
    using TimePoint = std::chrono::steady_clock::time_point;
    struct Checkout {
        std::shared_ptr<Connection> connection;  ///< an idle connection, or null: open one
        bool timed_out = false;                  ///< no connection came free by the deadline
    };
    boost::asio::awaitable<Checkout> acquire(TimePoint deadline);
    boost::asio::awaitable<std::variant<std::shared_ptr<Connection>, Failure>> connect(
        TimePoint deadline, std::chrono::milliseconds timeout);
    void release(std::shared_ptr<Connection> connection, bool reusable);
    void release_slot();
    void wake_one_waiter();

    boost::asio::any_io_executor executor_;
    Endpoint endpoint_;
    HttpOptions options_;
    boost::asio::ssl::context* tls_;
    std::vector<std::shared_ptr<Connection>> idle_;
    std::size_t open_ = 0;
    std::deque<boost::asio::steady_timer*> waiters_;
};

/// Builds the TLS context for https endpoints: system CAs plus `options.ca_file`, peer
/// verification unless `options.verify_tls` is false. Throws ConfigError on options that
/// check_http_options refuses, and on a CA file, certificate or key that cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const HttpOptions& options);

}  // namespace cluster_client::http
