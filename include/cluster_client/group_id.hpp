// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cluster_client {

/// Longest group id in bytes (docs/node-api.md).
inline constexpr std::size_t max_group_id_bytes = 255;

/// Why `id` is not a valid group id, naming the rule it breaks; nullopt when it is valid.
/// Valid: 1 to 255 bytes of well-formed UTF-8 without U+0000..U+001F or U+007F, and neither
/// `.` nor `..` (dot-segments: as the GET's path segment, normalising servers and proxies
/// resolve them away). `...` and `.a` are valid.
std::optional<std::string> group_id_error(std::string_view id);

/// Throws InvalidGroupId with the message of group_id_error when `id` is not valid.
void validate_group_id(std::string_view id);

}  // namespace cluster_client
