// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>

namespace cluster_client::reference_node {

/// Parses one HTTP/1.x request fed in pieces, keeping only what the node serves from: the
/// method, the target, the body, the version and keep-alive. Other fields are read and
/// dropped, so a request costs no allocation for its header. Header and body are bounded.
class RequestParser : private boost::beast::http::basic_parser<true> {
public:
    RequestParser(std::size_t max_header_bytes, std::uint64_t max_body_bytes);

    /// Consumes what it can of `bytes` and returns how much; `need_more` asks for more.
    std::size_t feed(std::string_view bytes, boost::system::error_code& ec);
    /// The client closed the connection.
    void feed_eof(boost::system::error_code& ec) { put_eof(ec); }

    bool done() const { return is_done(); }
    bool got_some() const { return basic_parser::got_some(); }
    std::string_view method() const { return method_; }
    std::string_view target() const { return target_; }
    const std::string& body() const { return body_; }
    unsigned version() const { return version_; }
    bool keep_alive() const { return basic_parser::keep_alive(); }

private:
    void on_request_impl(boost::beast::http::verb, boost::beast::string_view method, boost::beast::string_view target,
                         int version, boost::system::error_code& ec) override;
    void on_response_impl(int, boost::beast::string_view, int, boost::system::error_code& ec) override;
    void on_field_impl(boost::beast::http::field, boost::beast::string_view, boost::beast::string_view,
                       boost::system::error_code&) override {}
    void on_header_impl(boost::system::error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                           boost::system::error_code& ec) override;
    std::size_t on_body_impl(boost::beast::string_view body, boost::system::error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, boost::system::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                   boost::system::error_code& ec) override;
    void on_finish_impl(boost::system::error_code&) override {}

    std::string method_;
    std::string target_;
    std::string body_;
    unsigned version_ = 11;
};

}  // namespace cluster_client::reference_node
