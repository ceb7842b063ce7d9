// SPDX-License-Identifier: MIT
#include "http/wire.hpp"

#include <charconv>

#include <boost/beast/http/error.hpp>

#include <cluster_client/errors.hpp>
#include <cluster_client/version.hpp>

namespace cluster_client::http {

namespace beast = boost::beast;

std::string format_request(Method method, std::string_view target, std::string_view host_header,
                           std::string_view json_body, std::string_view bearer_token) {
    constexpr std::string_view protocol = " HTTP/1.1\r\nHost: ";
    constexpr std::string_view agent = "\r\nUser-Agent: cluster-client/";
    constexpr std::string_view content_type = "Content-Type: application/json\r\nContent-Length: ";
    char length[24];
    const auto length_end = std::to_chars(length, length + sizeof length, json_body.size()).ptr;
    const std::string_view length_text(length, static_cast<std::size_t>(length_end - length));

    std::string text;
    text.reserve(96 + target.size() + host_header.size() + content_type.size() + json_body.size() +
                 bearer_token.size());
    text.append(enum_name(method)).append(" ").append(target);
    text.append(protocol).append(host_header).append(agent).append(cluster_client::version).append("\r\n");
    if (!bearer_token.empty()) text.append("Authorization: Bearer ").append(bearer_token).append("\r\n");
    if (!json_body.empty()) text.append(content_type).append(length_text).append("\r\n");
    text.append("\r\n").append(json_body);
    return text;
}

void check_bearer_token(std::string_view token) {
    const auto body_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '_' || c == '~' || c == '+' || c == '/';
    };
    std::size_t i = 0;
    while (i < token.size() && body_char(token[i])) ++i;
    const bool has_body = i > 0;
    while (i < token.size() && token[i] == '=') ++i;
    if (!token.empty() && (!has_body || i != token.size())) {
        throw ConfigError(
            "the bearer token may hold only letters, digits and -._~+/ followed by optional '=' "
            "(RFC 6750)");
    }
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
    unsigned long seconds = 0;
    const auto* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, seconds);
    if (ec != std::errc{} || ptr != end || seconds > 86'400) return std::nullopt;
    return std::chrono::seconds(seconds);
}

namespace {

// RFC 9110's tchar.
bool is_token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// `token *( OWS "," OWS token )`. Beast reads a Transfer-Encoding list only up to its first
// byte that is not a token's, so it would frame "chunked\xff" as chunked and "gzip;q=1,
// chunked" as running to the end of the stream: the answer is refused instead of framed on
// a guess.
bool is_token_list(std::string_view value) {
    for (;;) {
        const std::size_t comma = value.find(',');
        std::string_view element = value.substr(0, comma);
        while (!element.empty() && (element.front() == ' ' || element.front() == '\t')) element.remove_prefix(1);
        while (!element.empty() && (element.back() == ' ' || element.back() == '\t')) element.remove_suffix(1);
        if (element.empty()) return false;
        for (const char c : element) {
            if (!is_token_char(c)) return false;
        }
        if (comma == std::string_view::npos) return true;
        value.remove_prefix(comma + 1);
    }
}

}  // namespace

ResponseParser::ResponseParser(std::size_t max_header_bytes, std::uint64_t max_body_bytes) {
    header_limit(static_cast<std::uint32_t>(max_header_bytes));
    body_limit(max_body_bytes);
    eager(true);  // the body is parsed in the same call as the header when it is there
}

std::size_t ResponseParser::feed(std::string_view bytes, boost::system::error_code& ec) {
    return put(boost::asio::const_buffer(bytes.data(), bytes.size()), ec);
}

void ResponseParser::feed_eof(boost::system::error_code& ec) {
    // Beast would call a close before any byte a complete message with status 0, which would
    // read as a refusal: a node that took a POST and then closed must stay "maybe applied".
    if (!got_some()) {
        ec = beast::http::error::end_of_stream;
        return;
    }
    put_eof(ec);
}

void ResponseParser::on_request_impl(beast::http::verb, beast::string_view, beast::string_view, int,
                                     boost::system::error_code& ec) {
    ec = beast::http::error::bad_version;  // never called: this parses responses
}

void ResponseParser::on_response_impl(int code, beast::string_view, int, boost::system::error_code&) {
    status_ = static_cast<unsigned>(code);
}

void ResponseParser::on_field_impl(beast::http::field name, beast::string_view, beast::string_view value,
                                   boost::system::error_code& ec) {
    if (name == beast::http::field::transfer_encoding && !is_token_list({value.data(), value.size()})) {
        ec = beast::http::error::bad_transfer_encoding;
        return;
    }
    if (name == beast::http::field::retry_after) retry_after_ = parse_retry_after({value.data(), value.size()});
}

void ResponseParser::on_header_impl(boost::system::error_code&) {}

void ResponseParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                       boost::system::error_code&) {
    // The parser has already refused a length above the body limit.
    if (content_length) body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t ResponseParser::on_body_impl(beast::string_view body, boost::system::error_code&) {
    body_.append(body.data(), body.size());
    return body.size();
}

void ResponseParser::on_chunk_header_impl(std::uint64_t, beast::string_view, boost::system::error_code&) {}

std::size_t ResponseParser::on_chunk_body_impl(std::uint64_t, beast::string_view body, boost::system::error_code&) {
    body_.append(body.data(), body.size());
    return body.size();
}

void ResponseParser::on_finish_impl(boost::system::error_code&) {}

}  // namespace cluster_client::http
