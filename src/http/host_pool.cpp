// SPDX-License-Identifier: MIT
#include "http/host_pool.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cluster_client/errors.hpp>

namespace cluster_client::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using asio::experimental::awaitable_operators::operator||;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct HostPool::Connection {
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

namespace {

using Request11 = bhttp::request<bhttp::string_body>;

bhttp::verb to_verb(Method method) {
    switch (method) {
        case Method::get: return bhttp::verb::get;
        case Method::post: return bhttp::verb::post;
        case Method::delete_: return bhttp::verb::delete_;
    }
    return bhttp::verb::get;
}

// A pooled connection that the node has closed (or that carries unexpected bytes) would
// fail the next request after it is written, which would make that request ambiguous.
// Peeking without blocking finds it before anything is sent.
bool looks_alive(HostPool::Connection& connection) {
    auto& socket = connection.lowest().socket();
    if (!socket.is_open()) return false;
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
    unsigned long seconds = 0;
    const auto* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, seconds);
    if (ec != std::errc{} || ptr != end || seconds > 86'400) return std::nullopt;
    return std::chrono::seconds(seconds);
}

std::string describe(std::string_view phase, const boost::system::error_code& ec,
                     std::chrono::milliseconds timeout) {
    if (ec == beast::error::timeout || ec == asio::error::timed_out) {
        return std::string(phase) + ": timed out after " + std::to_string(timeout.count()) + "ms";
    }
    return std::string(phase) + ": " + ec.message();
}

struct ExchangeResult {
    Outcome outcome;
    bool keep_alive = false;
};

template <class Stream>
asio::awaitable<ExchangeResult> exchange(Stream& stream, beast::flat_buffer& buffer,
                                         const Request11& request, const HttpOptions& options,
                                         std::chrono::milliseconds timeout) {
    auto [write_error, written] = co_await bhttp::async_write(stream, request, use_tuple);
    if (write_error) {
        const auto kind = written == 0 ? Failure::Kind::not_sent : Failure::Kind::maybe_applied;
        co_return ExchangeResult{Failure{kind, describe("send", write_error, timeout)}};
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    auto [read_error, read] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    if (read_error) {
        co_return ExchangeResult{
            Failure{Failure::Kind::maybe_applied, describe("receive", read_error, timeout)}};
    }
    auto& message = parser.get();
    Response response;
    response.status = message.result_int();
    response.body = std::move(message.body());
    if (auto it = message.find(bhttp::field::retry_after); it != message.end()) {
        response.retry_after = parse_retry_after(it->value());
    }
    // Bytes after the response mean the node broke framing: never reuse that connection.
    const bool keep_alive = message.keep_alive() && buffer.size() == 0;
    co_return ExchangeResult{std::move(response), keep_alive};
}

bool is_certificate_error(const boost::system::error_code& ec) {
    return ec.category() == asio::error::get_ssl_category();
}

}  // namespace

const char* method_name(Method method) {
    switch (method) {
        case Method::get: return "GET";
        case Method::post: return "POST";
        case Method::delete_: return "DELETE";
    }
    return "GET";
}

HostPool::HostPool(asio::any_io_executor executor, Endpoint endpoint, const HttpOptions& options,
                   asio::ssl::context* tls)
    : executor_(std::move(executor)), endpoint_(std::move(endpoint)), options_(options), tls_(tls) {
    if (endpoint_.tls && tls_ == nullptr) {
        throw ConfigError("https host " + endpoint_.url() + " needs a TLS context");
    }
}

HostPool::~HostPool() = default;

void HostPool::release(std::unique_ptr<Connection> connection, bool reusable) {
    if (!reusable) {
        connection.reset();
        release_slot();
        return;
    }
    connection->lowest().expires_never();
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

asio::awaitable<std::variant<std::unique_ptr<HostPool::Connection>, Failure>> HostPool::connect(
    TimePoint deadline) {
    const auto timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto connection = std::make_unique<Connection>();
    if (endpoint_.tls) {
        connection->secure.emplace(executor_, *tls_);
    } else {
        connection->plain.emplace(executor_);
    }
    auto& stream = connection->lowest();

    std::vector<tcp::endpoint> targets;
    boost::system::error_code address_error;
    const auto address = asio::ip::make_address(endpoint_.host, address_error);
    if (!address_error) {
        targets.emplace_back(address, endpoint_.port);
    } else {
        // A name lookup cannot be cancelled by the stream's timer, so it races its own.
        tcp::resolver resolver(executor_);
        asio::steady_timer timer(executor_, deadline);
        auto raced = co_await (
            resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port), use_tuple) ||
            timer.async_wait(use_tuple));
        if (raced.index() == 1) {
            co_return Failure{Failure::Kind::not_sent, describe("resolve", beast::error::timeout, timeout)};
        }
        auto [ec, results] = std::get<0>(std::move(raced));
        if (ec) co_return Failure{Failure::Kind::not_sent, "resolve " + endpoint_.host + ": " + ec.message()};
        for (const auto& entry : results) targets.push_back(entry.endpoint());
    }

    stream.expires_at(deadline);
    auto [connect_error, connected] = co_await stream.async_connect(targets, use_tuple);
    if (connect_error) {
        co_return Failure{Failure::Kind::not_sent, describe("connect", connect_error, timeout)};
    }
    stream.socket().set_option(tcp::no_delay(true));

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
            co_return Failure{Failure::Kind::not_sent, describe("tls handshake", handshake_error, timeout),
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

    Request11 message{to_verb(request.method), endpoint_.path_prefix + request.path, 11};
    message.set(bhttp::field::host, endpoint_.host_header());
    message.set(bhttp::field::user_agent, "cluster-client");
    if (!request.json_body.empty()) {
        message.set(bhttp::field::content_type, "application/json");
        message.body() = std::move(request.json_body);
    }
    message.keep_alive(true);
    message.prepare_payload();

    for (int round = 0;; ++round) {
        auto [connection, timed_out] = co_await acquire(deadline);
        if (timed_out) {
            co_return Failure{Failure::Kind::not_sent,
                              "waiting for a free connection: timed out after " +
                                  std::to_string(timeout.count()) + "ms (" + std::to_string(open_) +
                                  " busy)"};
        }
        const bool reused = connection != nullptr;
        if (!reused) {
            auto connected = co_await connect(deadline);
            if (auto* failure = std::get_if<Failure>(&connected)) {
                release_slot();
                co_return std::move(*failure);
            }
            connection = std::get<std::unique_ptr<Connection>>(std::move(connected));
        }

        connection->lowest().expires_at(deadline);
        // Two statements, not `?:`: GCC 12 miscompiles co_await inside a conditional expression.
        ExchangeResult result;
        if (connection->secure) {
            result = co_await exchange(*connection->secure, connection->buffer, message, options_, timeout);
        } else {
            result = co_await exchange(*connection->plain, connection->buffer, message, options_, timeout);
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
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    context->set_default_verify_paths(ec);
    if (!options.ca_file.empty()) {
        context->load_verify_file(options.ca_file, ec);
        if (ec) throw ConfigError("--ca-file " + options.ca_file + ": cannot load CA bundle: " + ec.message());
    }
    context->set_verify_mode(options.verify_tls ? asio::ssl::verify_peer : asio::ssl::verify_none);
    return context;
}

}  // namespace cluster_client::http
