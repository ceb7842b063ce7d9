// SPDX-License-Identifier: MIT
#include "option_value.hpp"

#include <charconv>
#include <limits>

#include <cluster_client/duration.hpp>
#include <cluster_client/errors.hpp>

namespace cluster_client::cli {

namespace {

std::optional<int> parse_count(std::string_view text) {
    int number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc{} || end != text.data() + text.size() || number < 0) return std::nullopt;
    return number;
}

}  // namespace

std::optional<std::string> type_error(ValueKind kind, std::string_view text) {
    switch (kind) {
        case ValueKind::count:
            if (parse_count(text)) return std::nullopt;
            return "must be a whole number from 0 to " + std::to_string(std::numeric_limits<int>::max()) + " (got '" +
                   std::string(text) + "')";
        case ValueKind::duration:
            try {
                (void)parse_duration(text);
                return std::nullopt;
            } catch (const ConfigError& error) {
                return error.what();
            }
        case ValueKind::flag:
            if (flag_text(text)) return std::nullopt;
            return "must be 1, true, yes, 0, false or no (got '" + std::string(text) + "')";
        case ValueKind::text:
        case ValueKind::word:
        case ValueKind::file:
        case ValueKind::directory: break;
    }
    return std::nullopt;
}

std::optional<std::string> flag_text(std::string_view text) {
    if (text == "1" || text == "true" || text == "yes") return "true";
    if (text == "0" || text == "false" || text == "no" || text.empty()) return "false";
    return std::nullopt;
}

int as_count(std::string_view text) {
    return parse_count(text).value();
}

std::chrono::milliseconds as_duration(std::string_view text) {
    return parse_duration(text);
}

bool as_flag(std::string_view text) {
    return text == "true";
}

}  // namespace cluster_client::cli
