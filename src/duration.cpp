// SPDX-License-Identifier: MIT
#include <cluster_client/duration.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include <cluster_client/errors.hpp>

namespace cluster_client {
namespace {

constexpr std::string_view units_hint = "us, ms, s, m, h, d";

[[noreturn]] void fail(std::string_view text, std::string_view rule) {
    throw ConfigError("invalid duration \"" + std::string(text) + "\": " + std::string(rule));
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Nanoseconds per unit; 0 for an unknown unit.
std::int64_t unit_nanoseconds(std::string_view unit) {
    if (unit == "us") return 1'000;
    if (unit == "ms") return 1'000'000;
    if (unit == "s") return 1'000'000'000;
    if (unit == "m") return 60'000'000'000;
    if (unit == "h") return 3'600'000'000'000;
    if (unit == "d") return 86'400'000'000'000;
    return 0;
}

constexpr std::int64_t max_ns = std::numeric_limits<std::int64_t>::max();

}  // namespace

// Components such as `1m30s` are summed so that format_duration's output parses back.
// Arithmetic is in integer nanoseconds so `1.5s` is exact, not a rounded double.
std::chrono::milliseconds parse_duration(std::string_view text) {
    const std::string_view s = trim(text);
    if (s.empty()) fail(text, "it is empty (write e.g. 300ms or 2s)");
    if (s.front() == '-') fail(text, "it must not be negative");
    if (s == "0") return std::chrono::milliseconds{0};

    std::int64_t total_ns = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!is_digit(s[i])) fail(text, "expected a number followed by a unit (" + std::string(units_hint) + ")");
        std::int64_t whole = 0;
        for (; i < s.size() && is_digit(s[i]); ++i) {
            if (whole > (max_ns - 9) / 10) fail(text, "it is too large");
            whole = whole * 10 + (s[i] - '0');
        }
        double fraction = 0.0;
        if (i < s.size() && s[i] == '.') {
            ++i;
            if (i == s.size() || !is_digit(s[i])) fail(text, "expected digits after '.'");
            double scale = 0.1;
            for (; i < s.size() && is_digit(s[i]); ++i, scale /= 10) {
                fraction += (s[i] - '0') * scale;
            }
        }
        const std::size_t unit_begin = i;
        while (i < s.size() && !is_digit(s[i]) && s[i] != '.') ++i;
        const std::string_view unit = s.substr(unit_begin, i - unit_begin);
        if (unit.empty()) fail(text, "a unit is required (" + std::string(units_hint) + ")");
        const std::int64_t per_unit = unit_nanoseconds(unit);
        if (per_unit == 0) {
            fail(text, "unknown unit \"" + std::string(unit) + "\" (use " + std::string(units_hint) + ")");
        }
        if (whole > max_ns / per_unit) fail(text, "it is too large");
        // The fraction is below one unit (at most an hour), well inside a double's precision.
        const auto fraction_ns = static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(per_unit)));
        const std::int64_t part = whole * per_unit;
        if (part > max_ns - fraction_ns || total_ns > max_ns - part - fraction_ns) {
            fail(text, "it is too large");
        }
        total_ns += part + fraction_ns;
    }
    // Rounded up so that a non-zero timeout such as 250us never becomes zero.
    return std::chrono::milliseconds{total_ns / 1'000'000 + (total_ns % 1'000'000 != 0 ? 1 : 0)};
}

std::string format_duration(std::chrono::milliseconds d) {
    const auto count = d.count();
    if (count == 0) return "0s";
    // Through unsigned so the most negative value has a magnitude too.
    std::uint64_t ms = count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
    std::string out = count < 0 ? "-" : "";
    if (ms < 1000) return out + std::to_string(ms) + "ms";

    const std::uint64_t days = ms / 86'400'000;
    ms %= 86'400'000;
    const std::uint64_t hours = ms / 3'600'000;
    ms %= 3'600'000;
    const std::uint64_t minutes = ms / 60'000;
    ms %= 60'000;
    if (days != 0) out += std::to_string(days) + "d";
    if (hours != 0) out += std::to_string(hours) + "h";
    if (minutes != 0) out += std::to_string(minutes) + "m";
    if (ms != 0) {
        out += std::to_string(ms / 1000);
        if (const std::uint64_t millis = ms % 1000; millis != 0) {
            std::string digits = std::to_string(millis);
            digits.insert(0, 3 - digits.size(), '0');
            while (digits.back() == '0') digits.pop_back();
            out += "." + digits;
        }
        out += "s";
    }
    return out;
}

}  // namespace cluster_client
