// SPDX-License-Identifier: MIT
#pragma once

#include "reference_node/exchange.hpp"
#include "reference_node/fault_injector.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace cluster_client::reference_node {

/// What one listener does with the requests it reads.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    /// Called once per request as soon as it is read, before anything else happens to it.
    virtual RequestFate admit() = 0;
    /// Applies the request; not called when the fate forbids it.
    virtual Reply serve(const Request& request) = 0;
};

/// HTTP/1.1 listeners, each with its own handler, serving every connection with one
/// coroutine: keep-alive and pipelining, `Connection: close`, an 8 KiB header limit and a
/// 64 KiB body limit, and the faults of RequestFate. A hung connection is parked (read and
/// discarded) until its client closes it or the server stops, without holding up the rest.
///
/// Must be owned by a std::shared_ptr: the coroutines keep it alive until they end. Thread-
/// safe: stop() may be called from any thread, and the executor may be run by `threads`
/// threads (with more than one, every connection and listener has its own strand).
class HttpServer : public std::enable_shared_from_this<HttpServer> {
public:
    HttpServer(boost::asio::any_io_executor executor, int threads);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and listens on `endpoint` (port 0: ephemeral); the port it got. With `tls` it
    /// serves https. Throws std::system_error naming the
    /// address when the port cannot be bound. Call before start.
    std::uint16_t listen(const boost::asio::ip::tcp::endpoint& endpoint, std::shared_ptr<RequestHandler> handler,
                         std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

    /// Starts accepting on every listener. Does nothing once stopped.
    void start();

    /// Closes every listener and connection; their coroutines end soon after. Idempotent.
    void stop();

private:
    struct Listener;
    struct Connection;

    /// A strand of the executor when several threads run it, else the executor itself.
    boost::asio::any_io_executor serving_executor() const;

    // Each coroutine holds `self` so that the server outlives it.
    boost::asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer> self, Listener& listener);
    // Serves requests until the connection ends; true when it should close gracefully.
    template <class Stream>
    boost::asio::awaitable<bool> serve_requests(Stream& stream, Connection& connection, RequestHandler& handler);
    boost::asio::awaitable<void> serve(std::shared_ptr<HttpServer> self, std::shared_ptr<Connection> connection,
                                       std::shared_ptr<RequestHandler> handler);
    // false when the server stopped meanwhile: the caller closes the connection.
    bool remember(const std::shared_ptr<Connection>& connection);
    void forget(std::uint64_t id);

    boost::asio::any_io_executor executor_;
    int threads_;
    std::vector<std::unique_ptr<Listener>> listeners_;
    std::mutex mutex_;
    bool started_ = false;
    bool stopped_ = false;
    std::uint64_t next_connection_id_ = 0;
    std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
};

}  // namespace cluster_client::reference_node
