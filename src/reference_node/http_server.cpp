// SPDX-License-Identifier: MIT
#include "reference_node/http_server.hpp"

#include "reference_node/request_parser.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <system_error>

namespace cluster_client::reference_node {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t header_limit = 8 * 1024;
constexpr std::uint64_t body_limit = 64 * 1024;
// How long a connection closed by the server waits for its client's FIN, so that unread
// request bytes do not turn our close into a reset that destroys the last answer.
constexpr auto close_linger = 1s;

// The answer owed for a request that could not be read, or nullopt when the peer is gone.
std::optional<unsigned> status_for_read_error(const error_code& ec) {
    if (ec == http::error::header_limit) return 431;
    if (ec == http::error::body_limit) return 413;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
        return std::nullopt;
    }
    if (ec.category() == make_error_code(http::error::bad_method).category()) return 400;
    return std::nullopt;
}

// Reads one request into `message`, keeping in `buffer` what follows it (a pipelined
// request). The errors are Beast's, as http::async_read would give them.
template <class Stream>
asio::awaitable<error_code> read_request(Stream& socket, boost::beast::flat_buffer& buffer, RequestParser& message) {
    for (;;) {
        if (buffer.size() > 0) {
            error_code parse_error;
            const auto data = buffer.data();
            buffer.consume(message.feed({static_cast<const char*>(data.data()), data.size()}, parse_error));
            if (parse_error && parse_error != http::error::need_more) co_return parse_error;
            if (message.done()) co_return error_code{};
        }
        auto [read_error, read] = co_await socket.async_read_some(buffer.prepare(4096), use_tuple);
        buffer.commit(read);
        if (read_error == asio::error::eof) {
            if (!message.got_some()) co_return http::error::end_of_stream;
            error_code eof_error;
            message.feed_eof(eof_error);
            co_return eof_error ? eof_error : error_code(http::error::partial_message);
        }
        if (read_error) co_return read_error;
    }
}

void append_number(std::string& out, std::uint64_t number) {
    std::array<char, 20> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr;
    out.append(digits.data(), end);
}

// Serialises the answer by hand into a buffer the connection reuses: no header container.
void render(std::string& out, const Reply& reply, bool keep_alive, unsigned version) {
    const auto reason = http::obsolete_reason(http::int_to_status(reply.status));
    out.clear();
    out += "HTTP/1.1 ";
    append_number(out, reply.status);
    out += ' ';
    out.append(reason.data(), reason.size());
    out += "\r\nContent-Type: ";
    out += reply.content_type;
    out += "\r\nContent-Length: ";
    append_number(out, reply.body.size());
    out += "\r\n";
    if (!reply.allow.empty()) {
        out += "Allow: ";
        out += reply.allow;
        out += "\r\n";
    }
    if (!keep_alive) {
        out += "Connection: close\r\n";
    } else if (version < 11) {
        out += "Connection: keep-alive\r\n";
    }
    out += "\r\n";
    out += reply.body;
}

// A new strand on `executor`. A strand of the io_context's own executor fits in
// any_io_executor's small buffer: no shared, reference-counted copy per connection.
asio::any_io_executor make_strand_of(const asio::any_io_executor& executor) {
    if (const auto* io = executor.target<asio::io_context::executor_type>()) {
        return asio::make_strand(*io);
    }
    return asio::make_strand(executor);
}

// Completion of the detached coroutines: an escaped exception is a bug, so say so.
struct LogFailure {
    void operator()(const std::exception_ptr& failure) const {
        if (!failure) return;
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            spdlog::error("cluster-node: coroutine failed: {}", e.what());
        }
    }
};

}  // namespace

struct HttpServer::Listener {
    Listener(const asio::any_io_executor& executor, std::shared_ptr<RequestHandler> served_by,
             std::shared_ptr<asio::ssl::context> tls_context)
        : acceptor(executor),
          retry_timer(acceptor.get_executor()),
          handler(std::move(served_by)),
          tls(std::move(tls_context)) {}

    tcp::acceptor acceptor;
    asio::steady_timer retry_timer;
    std::shared_ptr<RequestHandler> handler;
    std::shared_ptr<asio::ssl::context> tls;  ///< https when set; connections share it
};

// Every member runs on the connection's strand: sockets and timers are not thread-safe.
// An https connection reads and writes through `secure`, which wraps `socket`; closing,
// resetting and discarding work on the socket beneath in both cases.
struct HttpServer::Connection {
    Connection(tcp::socket accepted, std::shared_ptr<asio::ssl::context> tls_context)
        : socket(std::move(accepted)), timer(socket.get_executor()), tls(std::move(tls_context)) {
        if (tls) secure.emplace(socket, *tls);
    }

    void close() {
        error_code ignored;
        socket.close(ignored);
        timer.cancel();
    }

    // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    void reset() {
        error_code ignored;
        socket.set_option(tcp::socket::linger(true, 0), ignored);
        close();
    }

    // Reads and drops whatever the client sends until it closes or the connection is closed.
    asio::awaitable<void> discard_until_closed() {
        std::array<char, 1024> sink{};
        for (;;) {
            auto [ec, size] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
            if (ec) co_return;
        }
    }

    static asio::awaitable<void> close_gracefully(std::shared_ptr<Connection> self) {
        error_code ignored;
        self->socket.shutdown(tcp::socket::shutdown_send, ignored);
        self->timer.expires_after(close_linger);
        self->timer.async_wait([weak = std::weak_ptr(self)](const error_code& ec) {
            if (ec) return;
            if (auto alive = weak.lock()) alive->close();
        });
        co_await self->discard_until_closed();
        self->close();
    }

    tcp::socket socket;
    asio::steady_timer timer;
    std::shared_ptr<asio::ssl::context> tls;
    std::optional<asio::ssl::stream<tcp::socket&>> secure;
    std::uint64_t id = 0;
};

HttpServer::HttpServer(asio::any_io_executor executor, int threads)
    : executor_(std::move(executor)), threads_(threads) {}

asio::any_io_executor HttpServer::serving_executor() const {
    return threads_ > 1 ? make_strand_of(executor_) : executor_;
}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::listen(const tcp::endpoint& endpoint, std::shared_ptr<RequestHandler> handler,
                                 std::shared_ptr<asio::ssl::context> tls) {
    auto listener = std::make_unique<Listener>(serving_executor(), std::move(handler), std::move(tls));
    tcp::acceptor& acceptor = listener->acceptor;
    const auto fail = [&](const error_code& ec, std::string_view step) {
        const std::string address = endpoint.address().to_string();
        const bool v6 = endpoint.address().is_v6();
        throw std::system_error(ec, std::string(step) + " " + (v6 ? "[" : "") + address + (v6 ? "]" : "") + ":" +
                                        std::to_string(endpoint.port()));
    };
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (ec) fail(ec, "cannot open a socket for");
    // Lets a restarted node take its port back while old connections sit in TIME_WAIT.
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    acceptor.bind(endpoint, ec);
    if (ec) fail(ec, "cannot bind");
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail(ec, "cannot listen on");
    const std::uint16_t port = acceptor.local_endpoint().port();
    listeners_.push_back(std::move(listener));
    return port;
}

void HttpServer::start() {
    {
        const std::lock_guard lock(mutex_);
        if (started_ || stopped_) return;
        started_ = true;
    }
    for (const auto& listener : listeners_) {
        asio::co_spawn(listener->acceptor.get_executor(), accept_loop(shared_from_this(), *listener), LogFailure{});
    }
}

void HttpServer::stop() {
    std::vector<std::shared_ptr<Connection>> open;
    bool started = false;
    {
        const std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
        started = started_;
        open.reserve(connections_.size());
        for (const auto& [id, weak] : connections_) {
            if (auto connection = weak.lock()) open.push_back(std::move(connection));
        }
        connections_.clear();
    }
    if (!started) {
        // Nothing waits on the acceptors yet, and the executor may never run: free the
        // ports now.
        for (const auto& listener : listeners_) {
            error_code ignored;
            listener->acceptor.close(ignored);
        }
        return;
    }
    // Sockets and acceptors are closed on their own strands: they are not thread-safe. The
    // hop through the server's executor keeps the strand executors on the serving threads.
    asio::post(executor_, [self = shared_from_this(), open = std::move(open)] {
        for (const auto& listener : self->listeners_) {
            asio::dispatch(listener->acceptor.get_executor(), [self, target = listener.get()] {
                error_code ignored;
                target->acceptor.close(ignored);
                target->retry_timer.cancel();
            });
        }
        for (const auto& connection : open) {
            asio::dispatch(connection->socket.get_executor(), [connection] { connection->close(); });
        }
    });
}

bool HttpServer::remember(const std::shared_ptr<Connection>& connection) {
    const std::lock_guard lock(mutex_);
    if (stopped_) return false;
    connection->id = next_connection_id_++;
    connections_.emplace(connection->id, connection);
    return true;
}

void HttpServer::forget(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    connections_.erase(id);
}

asio::awaitable<void> HttpServer::accept_loop(std::shared_ptr<HttpServer> self, Listener& listener) {
    for (;;) {
        // Every connection gets its own strand, so several threads may serve the node.
        auto [ec, socket] = co_await listener.acceptor.async_accept(serving_executor(), use_tuple);
        if (!listener.acceptor.is_open()) co_return;
        if (ec) {
            // Typically EMFILE: wait for connections to end instead of spinning.
            spdlog::warn("cluster-node: accept failed: {}", ec.message());
            listener.retry_timer.expires_after(50ms);
            co_await listener.retry_timer.async_wait(use_tuple);
            continue;
        }
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto connection = std::make_shared<Connection>(std::move(socket), listener.tls);
        if (!remember(connection)) {
            connection->close();
            co_return;
        }
        auto executor = connection->socket.get_executor();
        asio::co_spawn(executor, serve(self, std::move(connection), listener.handler), LogFailure{});
    }
}

asio::awaitable<void> HttpServer::serve(std::shared_ptr<HttpServer> self, std::shared_ptr<Connection> connection,
                                        std::shared_ptr<RequestHandler> handler) {
    bool graceful = false;
    if (connection->secure) {
        auto [handshake_error] =
            co_await connection->secure->async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (handshake_error) {
            spdlog::debug("cluster-node: tls handshake failed: {}", handshake_error.message());
        } else {
            graceful = co_await serve_requests(*connection->secure, *connection, *handler);
        }
    } else {
        graceful = co_await serve_requests(connection->socket, *connection, *handler);
    }
    if (graceful && connection->socket.is_open()) {
        co_await Connection::close_gracefully(connection);
    } else {
        connection->close();
    }
    self->forget(connection->id);
}

template <class Stream>
asio::awaitable<bool> HttpServer::serve_requests(Stream& socket, Connection& connection, RequestHandler& handler) {
    boost::beast::flat_buffer buffer;
    std::string out;
    bool graceful = false;
    for (;;) {
        RequestParser message(header_limit, body_limit);
        const error_code read_error = co_await read_request(socket, buffer, message);
        if (read_error) {
            if (auto status = status_for_read_error(read_error)) {
                render(out, error_reply(*status, read_error.message()), false, 11);
                co_await asio::async_write(socket, asio::buffer(out), use_tuple);
                graceful = true;
            }
            break;
        }

        const RequestFate fate = handler.admit();
        if (fate.latency.count() > 0) {
            connection.timer.expires_after(fate.latency);
            co_await connection.timer.async_wait(use_tuple);
            if (!connection.socket.is_open()) break;
        }
        if (fate.fault == Fault::reset) {
            connection.reset();
            break;
        }
        if (fate.fault == Fault::hang_before) {
            co_await connection.discard_until_closed();
            break;
        }

        Reply reply;
        if (fate.fault == Fault::error_before) {
            reply = error_reply(500, "injected fault: 500 before applying");
        } else {
            reply = handler.serve(Request{message.method(), message.target(), message.body()});
            if (fate.fault == Fault::hang_after) {
                co_await connection.discard_until_closed();
                break;
            }
            if (fate.fault == Fault::error_after) {
                reply = error_reply(500, "injected fault: 500 after applying");
            }
        }

        const bool keep_alive = message.keep_alive();
        render(out, reply, keep_alive, message.version());
        auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(out), use_tuple);
        if (write_error) break;
        if (!keep_alive) {
            graceful = true;
            break;
        }
    }
    co_return graceful;
}

}  // namespace cluster_client::reference_node
