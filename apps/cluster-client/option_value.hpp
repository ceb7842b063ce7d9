// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "option_table.hpp"

namespace cluster_client::cli {

/// Why `text` is not a value of `kind`, with the text (e.g. "must be a whole number from 0 to
/// 2147483647 (got 'abc')"), or nullopt when it is one. Choices and other rules are checked later, on the final value.
std::optional<std::string> type_error(ValueKind kind, std::string_view text);

/// The text a flag option stores: "true" or "false", from 1/true/yes or 0/false/no/"";
/// nullopt for anything else.
std::optional<std::string> flag_text(std::string_view text);

/// The value of a text that type_error accepted.
int as_count(std::string_view text);
std::chrono::milliseconds as_duration(std::string_view text);
bool as_flag(std::string_view text);

}  // namespace cluster_client::cli
