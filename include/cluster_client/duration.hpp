// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace cluster_client {

/// Parses a duration such as `300ms`, `2s`, `1.5s`, `1m`, `1h`, `7d`, `250us` (a unit is required;
/// `0` alone is accepted). Throws ConfigError naming the rule on anything else, on a
/// negative value, or on a value too large for milliseconds.
std::chrono::milliseconds parse_duration(std::string_view text);

/// The inverse for display: `250ms`, `2s`, `1m30s`, `7d12h`.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace cluster_client
