// SPDX-License-Identifier: MIT
#include "test_http.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>

namespace cluster_client::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct Url {
    std::string host;
    std::string port;
    std::string target;
};

Url parse_url(std::string_view url) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme)) {
        throw std::invalid_argument("test_http needs an http:// URL, got " + std::string(url));
    }
    url.remove_prefix(scheme.size());
    const std::size_t slash = url.find('/');
    const std::string_view authority = url.substr(0, slash);
    Url parsed;
    parsed.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos || authority.ends_with(']')) {
        throw std::invalid_argument("test_http needs an explicit port in " + std::string(url));
    }
    std::string_view host = authority.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
    parsed.host = host;
    parsed.port = authority.substr(colon + 1);
    return parsed;
}

Transport classify(const error_code& ec) {
    if (!ec) return Transport::ok;
    if (ec == beast::error::timeout) return Transport::timeout;
    if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
        return Transport::reset;
    }
    if (ec == asio::error::eof || ec == http::error::end_of_stream || ec == http::error::partial_message) {
        return Transport::closed;
    }
    if (ec == asio::error::connection_refused) return Transport::refused;
    return Transport::other;
}

asio::awaitable<error_code> connect(beast::tcp_stream& stream, const Url& url) {
    tcp::resolver resolver(stream.get_executor());
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(url.host, url.port, use_tuple);
    if (resolve_error) co_return resolve_error;
    auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
    co_return connect_error;
}

asio::awaitable<void> exchange(beast::tcp_stream& stream, const Url& url,
                               const http::request<http::string_body>& request,
                               http::response_parser<http::string_body>& parser, error_code& result) {
    result = co_await connect(stream, url);
    if (result) co_return;
    auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_error) {
        result = write_error;
        co_return;
    }
    beast::flat_buffer buffer;
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    result = read_error;
}

asio::awaitable<void> raw_exchange(beast::tcp_stream& stream, const Url& url, std::string_view bytes, RawReply& reply,
                                   error_code& result) {
    result = co_await connect(stream, url);
    if (result) co_return;
    auto [write_error, written] =
        co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), use_tuple);
    if (write_error) {
        result = write_error;
        co_return;
    }
    std::array<char, 4096> chunk{};
    for (;;) {
        auto [read_error, size] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
        reply.data.append(chunk.data(), size);
        if (read_error == asio::error::eof) co_return;
        if (read_error) {
            result = read_error;
            co_return;
        }
    }
}

std::string header(const http::response<http::string_body>& response, http::field field) {
    const auto value = response[field];
    return {value.data(), value.size()};
}

}  // namespace

HttpReply test_http(std::string_view method, std::string_view url, std::string_view body,
                    std::chrono::milliseconds timeout) {
    const auto start = std::chrono::steady_clock::now();
    const Url parsed = parse_url(url);
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(parsed.target);
    request.version(11);
    request.set(http::field::host, parsed.host + ":" + parsed.port);
    if (!body.empty()) {
        request.set(http::field::content_type, "application/json");
        request.body() = body;
    }
    request.prepare_payload();

    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    error_code result;
    asio::co_spawn(io, exchange(stream, parsed, request, parser, result), asio::detached);
    io.run();

    HttpReply reply;
    reply.transport = classify(result);
    reply.error = result ? result.message() : std::string();
    if (reply.transport == Transport::ok) {
        const auto& response = parser.get();
        reply.status = response.result_int();
        reply.body = response.body();
        reply.content_type = header(response, http::field::content_type);
        reply.allow = header(response, http::field::allow);
        reply.connection = header(response, http::field::connection);
    }
    reply.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return reply;
}

RawReply raw_http(std::string_view url, std::string_view bytes, std::chrono::milliseconds timeout) {
    const Url parsed = parse_url(url);
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    RawReply reply;
    error_code result;
    asio::co_spawn(io, raw_exchange(stream, parsed, bytes, reply, result), asio::detached);
    io.run();
    reply.transport = classify(result);
    reply.error = result ? result.message() : std::string();
    return reply;
}

int count_responses(std::string_view raw) {
    int count = 0;
    for (std::size_t at = raw.find("HTTP/1.1 "); at != std::string_view::npos; at = raw.find("HTTP/1.1 ", at + 1)) {
        ++count;
    }
    return count;
}

}  // namespace cluster_client::testing
