// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cluster_client::node_api {

/// Percent-encodes `id` as a single path segment: every byte outside the RFC 3986
/// unreserved set (ALPHA DIGIT - . _ ~) becomes %XX (upper-case hex), so `/ ? # %`, spaces
/// and non-ASCII bytes never change the path's structure.
std::string encode_path_segment(std::string_view id);

/// Decodes a percent-encoded path segment; nullopt when a `%` is not followed by two hex
/// digits.
std::optional<std::string> decode_path_segment(std::string_view segment);

/// The request body `{"groupId":"<id>"}` with the id JSON-escaped.
std::string group_body(std::string_view id);

/// The groupId of a body such as `{"groupId":"x"}`; nullopt when the body is not a JSON
/// object with a string field groupId.
std::optional<std::string> parse_group_body(std::string_view body);

}  // namespace cluster_client::node_api
