// SPDX-License-Identifier: MIT
#include <cluster_client/group_id.hpp>

#include <cstdint>
#include <cstdio>

#include <cluster_client/errors.hpp>

namespace cluster_client {
namespace {

std::string hex(unsigned value, int digits) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%0*X", digits, value);
    return buffer;
}

std::string bad_byte(std::string_view id, std::size_t offset) {
    return "group id must be valid UTF-8 (bad byte 0x" + hex(static_cast<unsigned char>(id[offset]), 2) +
           " at offset " + std::to_string(offset) + ")";
}

}  // namespace

// Well-formedness follows Unicode's table of UTF-8 byte sequences: the range allowed for the
// second byte depends on the first, which is what rules out overlong forms, surrogates and
// code points above U+10FFFF.
//
// `.` and `..` are refused because the GET names the id as one path segment, and a segment
// of only dots is a dot-segment (RFC 3986, 5.2.4): a normalising server or proxy resolves
// `/v1/group/../` to `/v1/`, so the read would name another resource than the write did.
// Percent-encoding cannot help, since `%2E` is unreserved and decoded before resolution.
std::optional<std::string> group_id_error(std::string_view id) {
    if (id.empty() || id.size() > max_group_id_bytes) {
        return "group id must be 1 to " + std::to_string(max_group_id_bytes) + " bytes (got " +
               std::to_string(id.size()) + ")";
    }
    if (id == "." || id == "..") {
        return "group id must not be '.' or '..' (dot-segments in a URL path)";
    }
    std::size_t i = 0;
    while (i < id.size()) {
        const std::size_t start = i;
        const auto lead = static_cast<unsigned char>(id[i]);
        std::size_t length = 0;
        unsigned char second_min = 0x80;
        unsigned char second_max = 0xBF;
        std::uint32_t code_point = 0;
        if (lead < 0x80) {
            length = 1;
            code_point = lead;
        } else if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            code_point = lead & 0x1Fu;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            code_point = lead & 0x0Fu;
            if (lead == 0xE0) second_min = 0xA0;
            if (lead == 0xED) second_max = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            code_point = lead & 0x07u;
            if (lead == 0xF0) second_min = 0x90;
            if (lead == 0xF4) second_max = 0x8F;
        } else {
            return bad_byte(id, i);
        }
        for (std::size_t k = 1; k < length; ++k) {
            if (start + k >= id.size()) {
                return "group id must be valid UTF-8 (sequence at offset " + std::to_string(start) + " is truncated)";
            }
            const auto byte = static_cast<unsigned char>(id[start + k]);
            const unsigned char low = k == 1 ? second_min : 0x80;
            const unsigned char high = k == 1 ? second_max : 0xBF;
            if (byte < low || byte > high) return bad_byte(id, start + k);
            code_point = (code_point << 6) | (byte & 0x3Fu);
        }
        if (code_point < 0x20 || code_point == 0x7F) {
            return "group id must not contain control characters (U+" + hex(code_point, 4) + " at offset " +
                   std::to_string(start) + ")";
        }
        i = start + length;
    }
    return std::nullopt;
}

void validate_group_id(std::string_view id) {
    if (auto error = group_id_error(id)) throw InvalidGroupId(*error);
}

}  // namespace cluster_client
