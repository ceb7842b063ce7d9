// SPDX-License-Identifier: MIT
#include "http/host_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <cluster_client/errors.hpp>

#include "http/http_options_check.hpp"

namespace cluster_client::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::experimental::awaitable_operators::operator||;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One keep-alive connection. Its timer enforces the deadline of whatever the connection is
// doing (connect, handshake, send, receive): at the deadline it closes the socket, so that
// every pending and later operation on it fails at once.
struct HostPool::Connection {
    explicit Connection(const asio::any_io_executor& executor) : timer(executor) {}

    std::optional<tcp::socket> plain;
    std::optional<asio::ssl::stream<tcp::socket>> secure;
    beast::flat_buffer buffer;  ///< bytes received and not yet parsed
    asio::steady_timer timer;
    bool timed_out = false;

    tcp::socket& socket() { return secure ? secure->next_layer() : *plain; }
};

namespace {

using Connection = HostPool::Connection;

// Read in pieces of this size: an answer of the node API fits in one.
constexpr std::size_t read_size = 4096;
// Interim (1xx) answers read past before the final one; more is a node playing games.
constexpr int max_interim_answers = 8;

// Closes with a reset rather than a FIN. After a graceful close the kernel goes on
// retransmitting request bytes the node has not acknowledged, for minutes: a write given up on
// (and read back as absent, and compensated) could still land after the saga has ended. A
// reset discards them.
void abort_connection(Connection& connection) {
    auto& socket = connection.socket();
    if (!socket.is_open()) return;
    boost::system::error_code ignored;
    socket.set_option(tcp::socket::linger(true, 0), ignored);
    socket.close(ignored);
}

void watch(const std::shared_ptr<Connection>& connection, std::chrono::steady_clock::time_point deadline) {
    connection->timer.expires_at(deadline);
    // Weak: the timer may fire just as the connection is being dropped.
    connection->timer.async_wait([weak = std::weak_ptr<Connection>(connection)](boost::system::error_code ec) {
        const auto alive = weak.lock();
        if (ec || !alive) return;
        alive->timed_out = true;
        abort_connection(*alive);
    });
}

// A pooled connection that the node has closed (or that carries unexpected bytes) would
// fail the next request after it is written, which would make that request ambiguous.
// Peeking without blocking finds it before anything is sent.
bool looks_alive(Connection& connection) {
    auto& socket = connection.socket();
    if (!socket.is_open()) return false;
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::string describe(std::string_view phase, const Connection& connection, const boost::system::error_code& ec,
                     std::chrono::milliseconds timeout) {
    if (connection.timed_out) return std::string(phase) + ": timed out after " + std::to_string(timeout.count()) + "ms";
    return std::string(phase) + ": " + ec.message();
}

struct ExchangeResult {
    Outcome outcome;
    bool keep_alive = false;
};

// Writes the request and reads one answer on an open connection.
template <class Stream>
asio::awaitable<ExchangeResult> exchange(Stream& stream, Connection& connection, const std::string& request,
                                         const HttpOptions& options, std::chrono::milliseconds timeout) {
    auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(request), use_tuple);
    if (write_error) {
        const auto kind = written == 0 ? Failure::Kind::not_sent : Failure::Kind::maybe_applied;
        co_return ExchangeResult{Failure{kind, describe("send", connection, write_error, timeout)}};
    }
    std::optional<ResponseParser> parser;
    auto& buffer = connection.buffer;
    auto fail = [&](const boost::system::error_code& ec) {
        return ExchangeResult{Failure{Failure::Kind::maybe_applied, describe("receive", connection, ec, timeout)}};
    };
    // RFC 9110 section 15.2: a client reads past interim (1xx) answers, asked for or not; a
    // node that sends nothing else is cut off after a few.
    for (int interim = 0;; ++interim) {
        if (interim > max_interim_answers) {
            co_return ExchangeResult{
                Failure{Failure::Kind::maybe_applied,
                        "receive: more than " + std::to_string(max_interim_answers) + " interim (1xx) answers"}};
        }
        parser.emplace(options.max_header_bytes, options.max_body_bytes);
        while (!parser->done()) {
            boost::system::error_code parse_error;
            if (buffer.size() > 0) {
                const auto data = buffer.data();
                buffer.consume(parser->feed({static_cast<const char*>(data.data()), data.size()}, parse_error));
                if (parse_error && parse_error != beast::http::error::need_more) co_return fail(parse_error);
                if (parser->done()) break;
                // The parser holds back only a header block (bounded by its header limit) or
                // one line of chunk framing or trailer, which Beast does not bound: a node
                // sending an endless one must not fill memory until the timeout.
                if (buffer.size() > options.max_header_bytes) {
                    co_return ExchangeResult{
                        Failure{Failure::Kind::maybe_applied, "receive: a header, chunk or trailer line longer than " +
                                                                  std::to_string(options.max_header_bytes) + " bytes"}};
                }
            }
            auto [read_error, read] = co_await stream.async_read_some(buffer.prepare(read_size), use_tuple);
            buffer.commit(read);
            if (read_error == asio::error::eof) {
                parser->feed_eof(parse_error);  // ends a body that runs to the end of the stream
                if (!parse_error && parser->done()) break;
                co_return fail(read_error);
            }
            if (read_error) co_return fail(read_error);
        }
        const auto status = parser->status();
        if (status < 100 || status >= 200 || status == 101) break;
    }
    auto& final_parser = *parser;
    Response response{final_parser.status(), std::move(final_parser.body()), final_parser.retry_after()};
    // Bytes after the response mean the node broke framing: never reuse that connection.
    const bool keep_alive = final_parser.keep_alive() && buffer.size() == 0;
    co_return ExchangeResult{std::move(response), keep_alive};
}

bool is_certificate_error(const boost::system::error_code& ec) {
    return ec.category() == asio::error::get_ssl_category();
}

}  // namespace

HostPool::HostPool(asio::any_io_executor executor, Endpoint endpoint, const HttpOptions& options,
                   asio::ssl::context* tls)
    : executor_(std::move(executor)), endpoint_(std::move(endpoint)), options_(options), tls_(tls) {
    if (endpoint_.tls && tls_ == nullptr) {
        throw ConfigError("https host " + endpoint_.url() + " needs a TLS context");
    }
    check_bearer_token(options_.bearer_token);
}

HostPool::~HostPool() = default;

void HostPool::release(std::shared_ptr<Connection> connection, bool reusable) {
    connection->timer.cancel();
    if (!reusable) {
        abort_connection(*connection);
        connection.reset();
        release_slot();
        return;
    }
    idle_.push_back(std::move(connection));
    wake_one_waiter();
}

void HostPool::release_slot() {
    --open_;
    wake_one_waiter();
}

void HostPool::wake_one_waiter() {
    if (waiters_.empty()) return;
    waiters_.front()->cancel();
    waiters_.pop_front();
}

asio::awaitable<std::variant<std::shared_ptr<HostPool::Connection>, Failure>> HostPool::connect(
    TimePoint deadline, std::chrono::milliseconds timeout) {
    auto connection = std::make_shared<Connection>(executor_);
    if (endpoint_.tls) {
        connection->secure.emplace(executor_, *tls_);
    } else {
        connection->plain.emplace(executor_);
    }

    std::vector<tcp::endpoint> targets;
    boost::system::error_code address_error;
    const auto address = asio::ip::make_address(endpoint_.host, address_error);
    if (!address_error) {
        targets.emplace_back(address, endpoint_.port);
    } else {
        // A name lookup cannot be cancelled by closing a socket, so it races its own timer.
        tcp::resolver resolver(executor_);
        asio::steady_timer timer(executor_, deadline);
        auto raced = co_await (resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port), use_tuple) ||
                               timer.async_wait(use_tuple));
        if (raced.index() == 1) {
            co_return Failure{Failure::Kind::not_sent,
                              "resolve: timed out after " + std::to_string(timeout.count()) + "ms"};
        }
        auto [ec, results] = std::get<0>(std::move(raced));
        if (ec) co_return Failure{Failure::Kind::not_sent, "resolve " + endpoint_.host + ": " + ec.message()};
        for (const auto& entry : results) targets.push_back(entry.endpoint());
    }

    watch(connection, deadline);
    auto& socket = connection->socket();
    auto [connect_error, connected] = co_await asio::async_connect(socket, targets, use_tuple);
    if (connect_error) {
        co_return Failure{Failure::Kind::not_sent, describe("connect", *connection, connect_error, timeout)};
    }
    socket.set_option(tcp::no_delay(true));

    if (connection->secure) {
        auto& secure = *connection->secure;
        if (!SSL_set_tlsext_host_name(secure.native_handle(), endpoint_.host.c_str())) {
            co_return Failure{Failure::Kind::not_sent, "tls: cannot set server name " + endpoint_.host, true};
        }
        if (options_.verify_tls) {
            secure.set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
        }
        auto [handshake_error] = co_await secure.async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (handshake_error) {
            co_return Failure{Failure::Kind::not_sent, describe("tls handshake", *connection, handshake_error, timeout),
                              is_certificate_error(handshake_error)};
        }
    }
    co_return std::move(connection);
}

asio::awaitable<HostPool::Checkout> HostPool::acquire(TimePoint deadline) {
    for (;;) {
        while (!idle_.empty()) {
            auto connection = std::move(idle_.back());
            idle_.pop_back();
            if (looks_alive(*connection)) co_return Checkout{std::move(connection)};
            --open_;
        }
        if (open_ < options_.max_connections_per_host) {
            ++open_;
            co_return Checkout{};  // a free slot: the caller opens a new connection in it
        }
        asio::steady_timer timer(executor_, deadline);
        waiters_.push_back(&timer);
        auto [ec] = co_await timer.async_wait(use_tuple);
        std::erase(waiters_, &timer);
        if (!ec) co_return Checkout{nullptr, true};
    }
}

asio::awaitable<Outcome> HostPool::send(Request request, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto text = format_request(request.method, endpoint_.path_prefix + request.path, endpoint_.host_header(),
                                     request.json_body, options_.bearer_token);

    for (int round = 0;; ++round) {
        auto [connection, timed_out] = co_await acquire(deadline);
        if (timed_out) {
            co_return Failure{Failure::Kind::not_sent, "waiting for a free connection: timed out after " +
                                                           std::to_string(timeout.count()) + "ms (" +
                                                           std::to_string(open_) + " busy)"};
        }
        const bool reused = connection != nullptr;
        if (reused) {
            watch(connection, deadline);
        } else {
            auto connected = co_await connect(deadline, timeout);
            if (auto* failure = std::get_if<Failure>(&connected)) {
                release_slot();
                co_return std::move(*failure);
            }
            connection = std::get<std::shared_ptr<Connection>>(std::move(connected));
        }

        // Two statements, not `?:`: GCC 12 miscompiles co_await inside a conditional expression.
        ExchangeResult result;
        if (connection->secure) {
            result = co_await exchange(*connection->secure, *connection, text, options_, timeout);
        } else {
            result = co_await exchange(*connection->plain, *connection, text, options_, timeout);
        }
        auto* failure = std::get_if<Failure>(&result.outcome);
        release(std::move(connection), failure == nullptr && result.keep_alive);
        // A stale keep-alive connection is retried once, and only when nothing was written.
        if (failure && reused && round == 0 && failure->kind == Failure::Kind::not_sent) continue;
        co_return std::move(result.outcome);
    }
}

std::unique_ptr<asio::ssl::context> make_tls_context(const HttpOptions& options) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    context->set_default_verify_paths(ec);
    if (!options.ca_file.empty()) {
        context->load_verify_file(options.ca_file, ec);
        if (ec) throw ConfigError("http: ca_file " + options.ca_file + ": cannot load the CA bundle: " + ec.message());
    }
    check_http_options(options);
    if (!options.cert_file.empty()) {
        context->use_certificate_chain_file(options.cert_file, ec);
        if (ec)
            throw ConfigError("http: cert_file " + options.cert_file +
                              ": cannot load the certificate: " + ec.message());
        context->use_private_key_file(options.key_file, asio::ssl::context::pem, ec);
        if (ec) throw ConfigError("http: key_file " + options.key_file + ": cannot load the key: " + ec.message());
    }
    context->set_verify_mode(options.verify_tls ? asio::ssl::verify_peer : asio::ssl::verify_none);
    return context;
}

}  // namespace cluster_client::http
