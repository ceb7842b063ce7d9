// SPDX-License-Identifier: MIT
#include "node_api/encoding.hpp"

#include <boost/json.hpp>

namespace cluster_client::node_api {
namespace {

constexpr std::string_view field = "groupId";

bool is_unreserved(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string encode_path_segment(std::string_view id) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(id.size() * 3);
    for (const char c : id) {
        if (is_unreserved(c)) {
            out += c;
            continue;
        }
        const auto byte = static_cast<unsigned char>(c);
        out += '%';
        out += hex[byte >> 4];
        out += hex[byte & 0x0F];
    }
    return out;
}

std::optional<std::string> decode_path_segment(std::string_view segment) {
    std::string out;
    out.reserve(segment.size());
    for (std::size_t i = 0; i < segment.size(); ++i) {
        if (segment[i] != '%') {
            out += segment[i];
            continue;
        }
        if (i + 2 >= segment.size()) return std::nullopt;
        const int high = hex_value(segment[i + 1]);
        const int low = hex_value(segment[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

std::string group_body(std::string_view id) {
    boost::json::object body;
    body[field] = boost::json::string_view(id.data(), id.size());
    return boost::json::serialize(body);
}

std::optional<std::string> parse_group_body(std::string_view body) {
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
    if (ec || !value.is_object()) return std::nullopt;
    const boost::json::value* id = value.get_object().if_contains(field);
    if (id == nullptr || !id->is_string()) return std::nullopt;
    const boost::json::string& text = id->get_string();
    return std::string(text.data(), text.size());
}

}  // namespace cluster_client::node_api
