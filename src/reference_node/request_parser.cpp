// SPDX-License-Identifier: MIT
#include "reference_node/request_parser.hpp"

#include <boost/beast/http/error.hpp>

namespace cluster_client::reference_node {

namespace beast = boost::beast;

RequestParser::RequestParser(std::size_t max_header_bytes, std::uint64_t max_body_bytes) {
    header_limit(static_cast<std::uint32_t>(max_header_bytes));
    body_limit(max_body_bytes);
    eager(true);  // the body is parsed in the same call as the header when it is there
}

std::size_t RequestParser::feed(std::string_view bytes, boost::system::error_code& ec) {
    return put(boost::asio::const_buffer(bytes.data(), bytes.size()), ec);
}

void RequestParser::on_request_impl(beast::http::verb, beast::string_view method, beast::string_view target,
                                    int version, boost::system::error_code&) {
    method_.assign(method.data(), method.size());
    target_.assign(target.data(), target.size());
    version_ = static_cast<unsigned>(version);
}

void RequestParser::on_response_impl(int, beast::string_view, int, boost::system::error_code& ec) {
    ec = beast::http::error::bad_method;  // never called: this parses requests
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      boost::system::error_code&) {
    // The parser has already refused a length above the body limit.
    if (content_length) body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(beast::string_view body, boost::system::error_code&) {
    body_.append(body.data(), body.size());
    return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast::string_view body, boost::system::error_code&) {
    body_.append(body.data(), body.size());
    return body.size();
}

}  // namespace cluster_client::reference_node
