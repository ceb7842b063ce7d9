// SPDX-License-Identifier: MIT
// A node's answer: the response parser fed the input as reads would deliver it, in pieces
// cut at places the input itself decides, interim (1xx) answers read past as the pool does,
// then every call's classification of the final status. The parser must give the same answer
// however the bytes are cut, never hold a body above its limit, never make an answer out of
// a closed connection, and report keep-alive and Retry-After as the header says (a
// connection kept alive against the node's `Connection: close` would make the next request
// ambiguous).
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/error.hpp>

#include "check.hpp"
#include "http/wire.hpp"
#include "node_api/encoding.hpp"
#include "node_api/node_client.hpp"

namespace {

using cluster_client::fuzz::broken;
using cluster_client::fuzz::printable;
using cluster_client::fuzz::require;
using cluster_client::http::ResponseParser;
using std::chrono::milliseconds;

// HttpOptions' defaults: the limits the client runs with.
constexpr std::size_t header_limit = 8 * 1024;
constexpr std::uint64_t body_limit = 64 * 1024;

// Piece sizes drawn from the input's own hash: a crash replays exactly, and a mutation of any
// byte tries another cut. Mostly small pieces, which split tokens and CRLFs; now and then a
// large one.
class Pieces {
public:
    explicit Pieces(std::uint64_t seed) : state_(seed | 1u) {}
    std::size_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 7;
        state_ ^= state_ << 17;
        return (state_ >> 60) == 0 ? 1 + static_cast<std::size_t>(state_ % 512)
                                   : 1 + static_cast<std::size_t>(state_ % 8);
    }

private:
    std::uint64_t state_;
};

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t hash = 0xcbf29ce484222325u;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3u;
    }
    return hash;
}

// A refused answer is Parsed{}: how far the parser got before refusing is not compared.
struct Parsed {
    bool complete = false;      ///< a whole final answer was read
    bool ended_by_eof = false;  ///< only the end of the stream ended it
    std::size_t start = 0;      ///< where the final answer begins, after interim (1xx) ones
    std::size_t consumed = 0;   ///< bytes of the input up to the end of the final answer
    unsigned status = 0;
    std::string body;
    std::optional<milliseconds> retry_after;
    bool keep_alive = false;

    friend bool operator==(const Parsed&, const Parsed&) = default;
};

// HostPool's limit on interim answers before the final one.
constexpr int max_interim_answers = 8;

// Reads answers from `input` as HostPool's exchange does: bytes arrive in pieces, what a
// parser leaves is offered again with the next piece (and to the next answer's parser), and
// the end of the input is the node closing the connection. `pieces` null: one read.
class Reader {
public:
    Reader(std::string_view input, Pieces* pieces) : input_(input), pieces_(pieces) {}

    // Interim answers (1xx but 101) are read past, as RFC 9110 asks of a client.
    Parsed final_answer(std::uint64_t limit) {
        for (int interim = 0; interim <= max_interim_answers; ++interim) {
            Parsed answer = next_answer(limit);
            if (!answer.complete) return {};
            if (answer.status < 100 || answer.status >= 200 || answer.status == 101) return answer;
        }
        return {};
    }

private:
    Parsed next_answer(std::uint64_t limit) {
        ResponseParser parser(header_limit, limit);
        const auto within_limit = [&] {
            require(parser.body().size() <= limit, "the parser never holds a body above its limit",
                    [&] { return std::to_string(parser.body().size()) + " bytes > " + std::to_string(limit); });
        };
        Parsed result;
        result.start = consumed_;
        std::size_t used_here = 0;
        while (!parser.done()) {
            if (!pending_.empty()) {
                boost::system::error_code ec;
                const std::size_t used = parser.feed(pending_, ec);
                require(used <= pending_.size(), "the parser consumes at most what it is given");
                pending_.erase(0, used);
                consumed_ += used;
                used_here += used;
                within_limit();
                if (ec && ec != boost::beast::http::error::need_more) return {};
                if (parser.done()) break;
            }
            if (offered_ == input_.size()) {
                boost::system::error_code ec;
                parser.feed_eof(ec);
                within_limit();
                if (ec || !parser.done()) return {};
                result.ended_by_eof = true;
                break;
            }
            const std::size_t piece = pieces_ == nullptr ? input_.size() : pieces_->next();
            const auto next = input_.substr(offered_, piece);
            pending_.append(next);
            offered_ += next.size();
        }
        // A node that closes the connection before sending a byte has not answered: for a
        // write that is maybe_applied, never an answer with some status.
        require(used_here > 0, "a connection closed before any byte of an answer is not an answer", [&] {
            return "status " + std::to_string(parser.status()) + " after " + std::to_string(consumed_) + " bytes";
        });
        result.complete = true;
        result.consumed = consumed_;
        result.status = parser.status();
        result.body = parser.body();
        result.retry_after = parser.retry_after();
        result.keep_alive = parser.keep_alive();
        return result;
    }

    std::string_view input_;
    Pieces* pieces_;
    std::string pending_;
    std::size_t offered_ = 0;
    std::size_t consumed_ = 0;
};

Parsed parse(std::string_view input, std::uint64_t limit, Pieces* pieces) {
    return Reader(input, pieces).final_answer(limit);
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// What the answer's fields say, read by a plain scan of its lines rather than by the parser
// under test. The fields are the header's and, after a chunked body, the trailer's: the
// parser takes a trailer field as it takes a header field, so a node's `Connection: close`
// is honoured wherever it comes (closing is the safe side) and a later Retry-After wins.
// Only used on an answer the parser accepted, so it needs no error handling of its own.
struct HeaderFacts {
    unsigned version = 0;  ///< 10 * major + minor
    unsigned status = 0;
    bool close = false;
    bool keep_alive = false;
    bool folded = false;  ///< obsolete line folding: values are joined, compare loosely
    std::vector<std::string> retry_after;
};

using Fields = std::vector<std::pair<std::string, std::string>>;

// The field lines of `block` (up to its empty line) appended to `fields`.
void read_field_lines(std::string_view block, Fields& fields, bool& folded) {
    while (!block.empty()) {
        const std::size_t eol = block.find("\r\n");
        const std::string_view line = block.substr(0, eol);
        if (line.empty()) return;
        block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + 2);
        if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
            folded = true;
            fields.back().second += " ";
            fields.back().second += trim(line);
            continue;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        fields.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
    }
}

// Chunked when the last Transfer-Encoding field's list ends with "chunked" (the parser refuses
// a value that is not a plain list of tokens, and a second field after "chunked").
bool chunked(const Fields& fields) {
    bool chunked = false;
    for (const auto& [name, value] : fields) {
        if (!iequals(name, "transfer-encoding")) continue;
        const std::size_t comma = value.rfind(',');
        chunked = iequals(trim(std::string_view(value).substr(comma == std::string::npos ? 0 : comma + 1)), "chunked");
    }
    return chunked;
}

// The trailer after a chunked body that starts at `body`: each chunk is a hex size, the rest
// of its line (extensions), the data and a CRLF; the last chunk has size 0.
std::string_view trailer_of(std::string_view body) {
    for (;;) {
        std::uint64_t size = 0;
        std::size_t digits = 0;
        while (digits < body.size() && std::isxdigit(static_cast<unsigned char>(body[digits])) != 0) {
            const char c = lower(body[digits]);
            size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
            ++digits;
        }
        const std::size_t eol = body.find("\r\n");
        if (digits == 0 || eol == std::string_view::npos) return {};
        body.remove_prefix(eol + 2);
        if (size == 0) return body;
        if (size + 2 > body.size()) return {};
        body.remove_prefix(static_cast<std::size_t>(size) + 2);
    }
}

HeaderFacts read_header(std::string_view input) {
    HeaderFacts facts;
    const std::size_t status_end = input.find("\r\n");
    const std::string_view status_line = input.substr(0, status_end);
    // "HTTP/1.1 200 ..."
    if (status_line.size() >= 12) {
        facts.version = static_cast<unsigned>((status_line[5] - '0') * 10 + (status_line[7] - '0'));
        facts.status = static_cast<unsigned>((status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 +
                                             (status_line[11] - '0'));
    }
    if (status_end == std::string_view::npos) return facts;
    Fields fields;
    read_field_lines(input.substr(status_end + 2), fields, facts.folded);
    const std::size_t header_end = input.find("\r\n\r\n");
    // 1xx, 204 and 304 answers have no body, whatever the header says.
    const bool has_body = facts.status / 100 != 1 && facts.status != 204 && facts.status != 304;
    if (header_end != std::string_view::npos && has_body && chunked(fields)) {
        read_field_lines(trailer_of(input.substr(header_end + 4)), fields, facts.folded);
    }
    for (const auto& [name, value] : fields) {
        if (iequals(name, "connection") || iequals(name, "proxy-connection")) {
            std::string_view rest = value;
            for (;;) {
                const std::size_t comma = rest.find(',');
                const std::string_view token = trim(rest.substr(0, comma));
                facts.close = facts.close || iequals(token, "close");
                facts.keep_alive = facts.keep_alive || iequals(token, "keep-alive");
                if (comma == std::string_view::npos) break;
                rest.remove_prefix(comma + 1);
            }
        } else if (iequals(name, "retry-after")) {
            facts.retry_after.push_back(std::string(trim(value)));
        }
    }
    return facts;
}

// Retry-After's rule by hand: whole seconds, digits only, at most a day.
std::optional<milliseconds> retry_after_by_reference(std::string_view text) {
    if (text.empty()) return std::nullopt;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
    if (text.size() > 5) return std::nullopt;
    unsigned seconds = 0;
    for (const char c : text) seconds = seconds * 10 + static_cast<unsigned>(c - '0');
    if (seconds > 86'400) return std::nullopt;
    return milliseconds(seconds * 1000LL);
}

void check_retry_after_text(std::string_view text) {
    const auto parsed = cluster_client::http::parse_retry_after(text);
    require(!parsed || (parsed->count() >= 0 && parsed->count() <= 86'400'000),
            "parse_retry_after gives 0 to 86400 seconds", [&] { return printable(text); });
    require(parsed == retry_after_by_reference(text), "parse_retry_after takes whole seconds up to a day only",
            [&] { return "\"" + printable(text) + "\""; });
}

// The saga's view of a status. Whatever the exact policy, a status can never be taken for
// "nothing was sent", and the replies that let a saga go on without reading are given only
// to the answers of docs/node-api.md.
void check_classification(unsigned status) {
    using cluster_client::node_api::Call;
    using cluster_client::node_api::Reply;
    for (const Call call : {Call::create, Call::get, Call::delete_}) {
        const Reply reply = cluster_client::node_api::classify_status(call, status);
        const auto what = [&] {
            return "HTTP " + std::to_string(status) + " to " + std::string(cluster_client::node_api::call_name(call)) +
                   ": " + std::string(cluster_client::node_api::reply_name(reply));
        };
        require(cluster_client::node_api::reply_name(reply) != "unknown", "a status gets a named reply", what);
        require(reply != Reply::not_sent, "an answered request is never not_sent", what);
        if (status >= 500) require(reply == Reply::maybe_applied, "a 5xx is maybe_applied", what);
        if (status == 429) require(reply == Reply::throttled, "a 429 is throttled", what);
        switch (reply) {
            case Reply::created:
                require(call == Call::create && (status == 200 || status == 201), "only a 200/201 to a POST is created",
                        what);
                break;
            case Reply::deleted:
                require(call == Call::delete_ && (status == 200 || status == 204),
                        "only a 200/204 to a DELETE is deleted", what);
                break;
            case Reply::present:
                require(call == Call::get && status == 200, "only a 200 to a GET is present", what);
                break;
            case Reply::absent:
                require(call != Call::create && (status == 404 || status == 400),
                        "absent is a 404 (or 400 to a DELETE)", what);
                break;
            case Reply::exists_or_invalid:
                require(call == Call::create && (status == 400 || status == 409),
                        "exists_or_invalid is a 400/409 to a POST", what);
                break;
            case Reply::maybe_applied:
                require(status >= 500 || (call != Call::get && status >= 200 && status < 300),
                        "maybe_applied is a 5xx, or a success to a write", what);
                break;
            case Reply::throttled: require(status == 429, "throttled is a 429", what); break;
            case Reply::not_sent:
            case Reply::refused: break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::uint64_t hash = fnv1a(input);

    const Parsed whole = parse(input, body_limit, nullptr);
    Pieces pieces(hash);
    const Parsed cut = parse(input, body_limit, &pieces);
    require(whole == cut, "the answer does not depend on how the bytes are cut into reads",
            [&] { return "\"" + printable(input.substr(0, 512)) + "\""; });

    // A small limit: the same answer when the body fits, a refusal when it does not.
    static constexpr std::array<std::uint64_t, 6> small_limits{0, 1, 2, 7, 16, 100};
    const std::uint64_t small_limit = small_limits[(hash >> 32) % small_limits.size()];
    Pieces other_pieces(hash >> 1);
    const Parsed limited = parse(input, small_limit, &other_pieces);
    if (whole.complete) {
        if (whole.body.size() <= small_limit) {
            require(limited == whole, "a body within the limit parses as without it", [&] {
                return "limit " + std::to_string(small_limit) + ": \"" + printable(input.substr(0, 512)) + "\"";
            });
        } else {
            require(!limited.complete, "a body above the limit is refused",
                    [&] { return std::to_string(whole.body.size()) + " bytes, limit " + std::to_string(small_limit); });
        }
    }

    if (whole.complete) {
        const std::string_view answer = input.substr(whole.start);
        const HeaderFacts facts = read_header(answer);
        const auto context = [&] { return "\"" + printable(answer.substr(0, 512)) + "\""; };
        require(whole.status == facts.status, "the status is the status line's", context);
        const bool keep_alive = (facts.version >= 11 ? !facts.close : facts.keep_alive) && !whole.ended_by_eof;
        require(whole.keep_alive == keep_alive,
                "keep-alive: HTTP/1.1 without close or HTTP/1.0 with keep-alive, and a body that does not run "
                "to the end of the stream",
                context);
        if (facts.retry_after.empty()) {
            require(!whole.retry_after, "no Retry-After field, no retry delay", context);
        } else if (!facts.folded) {
            require(whole.retry_after == retry_after_by_reference(facts.retry_after.back()),
                    "the retry delay is the last Retry-After field's seconds", context);
        }
        require(!whole.retry_after || whole.retry_after->count() >= 0, "a retry delay is never negative", context);
        check_classification(whole.status);
        // What NodeClient does with a 200 to a GET: read the body as a group.
        if (whole.status == 200) (void)cluster_client::node_api::parse_group_body(whole.body);
    }

    // Retry-After's own parser on any text: the whole input and each of its lines.
    check_retry_after_text(input);
    std::size_t begin = 0;
    while (begin < input.size()) {
        const std::size_t eol = std::min(input.find('\n', begin), input.size());
        check_retry_after_text(input.substr(begin, eol - begin));
        begin = eol + 1;
    }
    return 0;
}
