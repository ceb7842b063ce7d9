// SPDX-License-Identifier: MIT
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace cluster_client::fuzz {

/// The input as text a person can read in a failure message: printable ASCII as is, every
/// other byte as \xNN, so a broken property can be reproduced by hand.
inline std::string printable(std::string_view bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size());
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7F && byte != '\\') {
            out += c;
        } else {
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 0x0F];
        }
    }
    return out;
}

/// Ends the run: abort() is what libFuzzer turns into a saved reproducer. The message says
/// which property broke and on what, since the stack alone only says where.
[[noreturn]] inline void broken(std::string_view property, std::string_view detail) {
    std::fprintf(stderr, "property broken: %.*s\n", static_cast<int>(property.size()), property.data());
    if (!detail.empty()) std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
    std::abort();
}

/// Ends the run when a property does not hold. `detail` is a callable returning the text
/// that shows the failure; it runs only then, so checks in loops cost nothing to describe.
template <class Detail>
void require(bool holds, std::string_view property, Detail&& detail) {
    if (!holds) broken(property, std::string(detail()));
}

inline void require(bool holds, std::string_view property) {
    if (!holds) broken(property, {});
}

}  // namespace cluster_client::fuzz
