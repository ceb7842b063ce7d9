// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cluster_client {

/// One value of an enum and the name it is written and read by (logs, reports, JSON, the
/// saga log's rows, option values).
template <class Enum>
using EnumName = std::pair<Enum, std::string_view>;

/// An enum whose names are listed once, beside the enum, by a function that
/// argument-dependent lookup finds:
///
///     constexpr auto enum_names(Colour) {
///         return std::to_array<EnumName<Colour>>({{Colour::red, "red"}, {Colour::blue, "blue"}});
///     }
///
/// The list is the only place a name is spelled: enum_name and parse_enum read it both ways,
/// so what is written can always be read back. List every value, in declaration order.
template <class Enum>
concept NamedEnum = std::is_enum_v<Enum> && requires(Enum value) {
    enum_names(value);
};

/// The name of `value`; empty for a value that is not in the list (only a cast makes one).
template <NamedEnum Enum>
constexpr std::string_view enum_name(Enum value) {
    for (const auto& [candidate, name] : enum_names(value)) {
        if (candidate == value) return name;
    }
    return {};
}

/// The value named `name` (exactly, case included); nullopt when no value has that name.
template <NamedEnum Enum>
constexpr std::optional<Enum> parse_enum(std::string_view name) {
    for (const auto& [value, candidate] : enum_names(Enum{})) {
        if (candidate == name) return value;
    }
    return std::nullopt;
}

}  // namespace cluster_client
