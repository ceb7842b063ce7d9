// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>

#include <cluster_client/enum_names.hpp>

namespace cluster_client::http {

enum class Method { get, post, delete_ };

/// Methods are named as on the wire ("GET").
constexpr auto enum_names(Method) {
    return std::to_array<EnumName<Method>>({{Method::get, "GET"}, {Method::post, "POST"}, {Method::delete_, "DELETE"}});
}

/// The whole HTTP/1.1 request as one buffer, so that it leaves in one write: the request
/// line, Host, User-Agent, `Authorization: Bearer` when `bearer_token` is not empty, and
/// for a non-empty `json_body` its Content-Type and Content-Length. Keep-alive is HTTP/1.1's
/// default, so no Connection field is sent.
std::string format_request(Method method, std::string_view target, std::string_view host_header,
                           std::string_view json_body, std::string_view bearer_token = {});

/// Throws ConfigError unless `token` is empty or a valid bearer token (RFC 6750: letters,
/// digits and `-._~+/`, then optional `=` padding), which also keeps it from breaking the
/// request's header.
void check_bearer_token(std::string_view token);

/// Parses one HTTP/1.x response fed in pieces as they arrive, keeping only what the client
/// uses: the status, the body, Retry-After and whether the connection may be reused. Other
/// header fields are read and dropped, so a response costs no allocation beyond its body.
/// Header and body sizes are bounded; chunked bodies are decoded.
class ResponseParser : private boost::beast::http::basic_parser<false> {
public:
    ResponseParser(std::size_t max_header_bytes, std::uint64_t max_body_bytes);

    /// Consumes what it can of `bytes` and returns how much; an error other than
    /// `need_more` means the answer is not valid HTTP or breaks a limit.
    std::size_t feed(std::string_view bytes, boost::system::error_code& ec);
    /// The node closed the connection: ends a body that runs to the end of the stream; an
    /// error (end_of_stream) when no byte of an answer came at all.
    void feed_eof(boost::system::error_code& ec);

    bool done() const { return is_done(); }
    unsigned status() const { return status_; }
    std::string& body() { return body_; }
    /// From a `Retry-After: <seconds>` field (at most one day); not set otherwise.
    std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }
    /// HTTP/1.1 without `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`.
    bool keep_alive() const { return basic_parser::keep_alive(); }

private:
    void on_request_impl(boost::beast::http::verb, boost::beast::string_view, boost::beast::string_view, int,
                         boost::system::error_code& ec) override;
    void on_response_impl(int code, boost::beast::string_view reason, int version,
                          boost::system::error_code& ec) override;
    void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                       boost::beast::string_view value, boost::system::error_code& ec) override;
    void on_header_impl(boost::system::error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                           boost::system::error_code& ec) override;
    std::size_t on_body_impl(boost::beast::string_view body, boost::system::error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                              boost::system::error_code& ec) override;
    std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                   boost::system::error_code& ec) override;
    void on_finish_impl(boost::system::error_code& ec) override;

    unsigned status_ = 0;
    std::string body_;
    std::optional<std::chrono::milliseconds> retry_after_;
};

/// `Retry-After` in seconds (0 to 86400); an HTTP date or anything else is ignored.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace cluster_client::http
