// SPDX-License-Identifier: MIT
// Group ids: the validator agrees with a second, independently written reading of the rule,
// rejects only with InvalidGroupId, and every id survives both encodings of the node API
// (the path segment of a GET, the JSON body of a POST or DELETE) unchanged.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include <cluster_client/errors.hpp>
#include <cluster_client/group_id.hpp>

#include "check.hpp"
#include "node_api/encoding.hpp"

namespace {

using cluster_client::fuzz::broken;
using cluster_client::fuzz::printable;
using cluster_client::fuzz::require;

// The rule of group_id.hpp by another route than the validator's: decode each sequence by
// its bit pattern first, then reject what Unicode forbids (overlong forms, surrogates, code
// points above U+10FFFF) and the control characters. Two readings that must agree catch a
// mistake in either table. An id of only dots is refused when it is one or two long: as a
// path segment it is a dot-segment, which normalising servers resolve away.
bool valid_by_reference(std::string_view id) {
    if (id.empty() || id.size() > 255) return false;
    if (id.size() <= 2 && id.find_first_not_of('.') == std::string_view::npos) return false;
    static constexpr std::uint32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
    std::size_t i = 0;
    while (i < id.size()) {
        const auto lead = static_cast<unsigned char>(id[i]);
        std::size_t length = 0;
        std::uint32_t code_point = 0;
        if ((lead & 0x80u) == 0) {
            length = 1;
            code_point = lead;
        } else if ((lead & 0xE0u) == 0xC0u) {
            length = 2;
            code_point = lead & 0x1Fu;
        } else if ((lead & 0xF0u) == 0xE0u) {
            length = 3;
            code_point = lead & 0x0Fu;
        } else if ((lead & 0xF8u) == 0xF0u) {
            length = 4;
            code_point = lead & 0x07u;
        } else {
            return false;
        }
        if (id.size() - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto byte = static_cast<unsigned char>(id[i + k]);
            if ((byte & 0xC0u) != 0x80u) return false;
            code_point = (code_point << 6) | (byte & 0x3Fu);
        }
        if (code_point < shortest[length]) return false;
        if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
        if (code_point > 0x10FFFF) return false;
        if (code_point < 0x20 || code_point == 0x7F) return false;
        i += length;
    }
    return true;
}

bool is_unreserved(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

bool is_upper_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

bool is_hex(char c) {
    return is_upper_hex(c) || (c >= 'a' && c <= 'f');
}

// The path segment may hold only unreserved characters and %XX escapes, or a `/`, `?`, `#`
// in an id would change which resource the GET names.
void check_path_segment(std::string_view id) {
    const std::string segment = cluster_client::node_api::encode_path_segment(id);
    for (std::size_t i = 0; i < segment.size(); ++i) {
        if (is_unreserved(segment[i])) continue;
        require(
            segment[i] == '%' && i + 2 < segment.size() && is_upper_hex(segment[i + 1]) && is_upper_hex(segment[i + 2]),
            "an encoded path segment holds only unreserved characters and %XX escapes",
            [&] { return "id \"" + printable(id) + "\" -> \"" + printable(segment) + "\""; });
        i += 2;
    }
    const auto decoded = cluster_client::node_api::decode_path_segment(segment);
    require(decoded.has_value() && *decoded == id, "decoding an encoded path segment gives the id back", [&] {
        return "id \"" + printable(id) + "\" -> \"" + printable(segment) + "\" -> " +
               (decoded ? "\"" + printable(*decoded) + "\"" : std::string("nothing"));
    });
}

// Any text as a segment: decoding fails exactly when a `%` lacks two hex digits, and what
// decodes survives another round.
void check_decoding(std::string_view text) {
    bool well_formed = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') continue;
        if (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2])) {
            well_formed = false;
            break;
        }
        i += 2;
    }
    const auto decoded = cluster_client::node_api::decode_path_segment(text);
    require(decoded.has_value() == well_formed, "a segment decodes exactly when every % has two hex digits",
            [&] { return "\"" + printable(text) + "\""; });
    if (decoded) check_path_segment(*decoded);
}

// The body must be JSON that any parser reads back as the id, not only ours.
void check_body(std::string_view id) {
    const std::string body = cluster_client::node_api::group_body(id);
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
    require(!ec, "the body of a valid id is JSON",
            [&] { return "id \"" + printable(id) + "\" -> " + printable(body); });
    const auto* object = value.if_object();
    require(object != nullptr && object->size() == 1, "the body is an object with one field",
            [&] { return printable(body); });
    const auto* field = object->if_contains("groupId");
    require(field != nullptr && field->is_string() &&
                std::string_view(field->get_string().data(), field->get_string().size()) == id,
            "the body's groupId is the id", [&] { return "id \"" + printable(id) + "\" -> " + printable(body); });
    require(cluster_client::node_api::parse_group_body(body) == std::optional<std::string>(id),
            "parse_group_body reads the id back from its own body", [&] { return printable(body); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view id(reinterpret_cast<const char*>(data), size);

    const auto error = cluster_client::group_id_error(id);
    require(error.has_value() != valid_by_reference(id),
            "group_id_error agrees with the rule (1..255 bytes of UTF-8, no control characters, not . or ..)", [&] {
                return "id \"" + printable(id) + "\": " + (error ? "rejected: " + *error : std::string("accepted"));
            });

    bool threw = false;
    try {
        cluster_client::validate_group_id(id);
    } catch (const cluster_client::InvalidGroupId& rejected) {
        // Any other exception escapes and libFuzzer reports it as a crash.
        threw = true;
        require(error && *error == rejected.what(), "validate_group_id throws group_id_error's message",
                [&] { return rejected.what(); });
    }
    require(threw == error.has_value(), "validate_group_id throws exactly when group_id_error names a rule",
            [&] { return "id \"" + printable(id) + "\""; });

    // Percent-encoding works on bytes, so it must round-trip any input, valid id or not.
    check_path_segment(id);
    check_decoding(id);
    if (!error) check_body(id);
    return 0;
}
