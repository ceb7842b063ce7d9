// SPDX-License-Identifier: MIT
#include "http/endpoint.hpp"

#include <algorithm>
#include <charconv>

#include <boost/url/grammar/charset.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse_path.hpp>
#include <boost/url/rfc/pchars.hpp>

#include <cluster_client/errors.hpp>

namespace cluster_client::http {
namespace {

namespace urls = boost::urls;

// A node is named by a DNS name or an IPv4 address: narrower than RFC 3986's reg-name, whose
// sub-delimiters and percent-encoding would only be mistakes here.
constexpr urls::grammar::lut_chars host_name_chars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
// What may appear in a path prefix: RFC 3986's pchar and '/' (and percent-encoding).
constexpr urls::grammar::lut_chars path_chars = urls::pchars + '/';

[[noreturn]] void fail(std::string_view text, std::string_view rule) {
    throw ConfigError("invalid host \"" + std::string(text) + "\": " + std::string(rule));
}

char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = to_lower(c);
    return out;
}

urls::string_view url_string(std::string_view s) {
    return {s.data(), s.size()};
}

// Where the first character of `s` outside `chars` is, or npos.
std::size_t find_outside(std::string_view s, const urls::grammar::lut_chars& chars) {
    const char* found = urls::grammar::find_if_not(s.data(), s.data() + s.size(), chars);
    return found == s.data() + s.size() ? std::string_view::npos : static_cast<std::size_t>(found - s.data());
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::uint16_t parse_port(std::string_view text, std::string_view port) {
    if (port.empty()) fail(text, "the port after ':' is empty");
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec == std::errc::result_out_of_range) {
        fail(text, "port must be 1 to 65535 (got " + std::string(port) + ")");
    }
    if (ec != std::errc{} || end != port.data() + port.size()) {
        fail(text, "port must be a number (got \"" + std::string(port) + "\")");
    }
    if (value < 1 || value > 65535) {
        fail(text, "port must be 1 to 65535 (got " + std::string(port) + ")");
    }
    return static_cast<std::uint16_t>(value);
}

// Boost.URL checks the path (its characters and percent-encoding); the prefix keeps it as
// written, with repeated and trailing slashes dropped so `/a//b/` and `/a/b` name the same prefix.
std::string normalise_prefix(std::string_view text, std::string_view path) {
    if (!urls::parse_path(url_string(path))) {
        // When every character is allowed, a '%' without two hex digits after it was refused.
        const std::size_t bad = find_outside(path, path_chars);
        const char shown = bad == std::string_view::npos ? '%' : path[bad];
        fail(text, "the path contains a character that is not allowed ('" + std::string(1, shown) + "')");
    }
    std::string out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        const std::size_t end = std::min(path.find('/', i), path.size());
        out += '/';
        out += path.substr(i, end - i);
        i = end;
    }
    return out;
}

std::string bracketed(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::uint16_t default_port(bool tls) {
    return tls ? 443 : 80;
}

}  // namespace

std::string Endpoint::url() const {
    std::string out = tls ? "https://" : "http://";
    out += host_header();
    out += path_prefix;
    return out;
}

std::string Endpoint::host_header() const {
    std::string out = bracketed(host);
    if (port != default_port(tls)) {
        out += ':';
        out += std::to_string(port);
    }
    return out;
}

Endpoint parse_endpoint(std::string_view text) {
    if (text.empty()) fail(text, "it is empty");
    for (const char c : text) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            fail(text, "it must not contain spaces or control characters");
        }
    }

    Endpoint endpoint;
    std::string_view rest = text;
    if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
        const std::string scheme = lower(rest.substr(0, sep));
        if (scheme == "https") {
            endpoint.tls = true;
        } else if (scheme != "http") {
            fail(text, "the scheme must be http or https (got \"" + scheme + "\")");
        }
        rest.remove_prefix(sep + 3);
    }
    if (rest.find('?') != std::string_view::npos) fail(text, "a host must not have a query");
    if (rest.find('#') != std::string_view::npos) fail(text, "a host must not have a fragment");

    // The authority is split here, not by Boost.URL: 1.81's authority rule cuts a name that
    // starts like an IPv4 address (10.0.0.1.nip.io becomes 10.0.0.1) and its URL parser then
    // takes the rest for a path. An IPv6 literal is Boost.URL's to read, the path its to check.
    const std::size_t path_begin = std::min(rest.find('/'), rest.size());
    std::string_view authority = rest.substr(0, path_begin);
    if (authority.find('@') != std::string_view::npos) {
        fail(text, "a host must not have user info ('user@')");
    }

    std::string_view port;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) fail(text, "'[' without a closing ']'");
        const std::string_view literal = authority.substr(1, close - 1);
        const auto address = urls::parse_ipv6_address(url_string(literal));
        if (!address) {
            fail(text, "\"" + std::string(literal) + "\" in brackets is not an IPv6 address");
        }
        endpoint.host = address->to_string();
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') fail(text, "only ':port' may follow ']'");
            has_port = true;
            port = after.substr(1);
        }
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos) {
            if (authority.find(':', colon + 1) != std::string_view::npos) {
                fail(text, "an IPv6 address must be written in brackets, e.g. [::1]:8080");
            }
            has_port = true;
            port = authority.substr(colon + 1);
            authority = authority.substr(0, colon);
        }
        if (authority.empty()) fail(text, "the host name is empty");
        if (find_outside(authority, host_name_chars) != std::string_view::npos) {
            fail(text, "the host name may only contain letters, digits, '-', '.' and '_'");
        }
        endpoint.host = lower(authority);
    }
    endpoint.port = has_port ? parse_port(text, port) : default_port(endpoint.tls);
    endpoint.path_prefix = normalise_prefix(text, rest.substr(path_begin));
    return endpoint;
}

std::vector<Endpoint> parse_hosts(const std::vector<std::string>& hosts) {
    std::vector<Endpoint> endpoints;
    std::vector<std::string_view> sources;
    for (const std::string& item : hosts) {
        const std::string_view source = trim(item);
        if (source.empty()) continue;
        Endpoint endpoint = parse_endpoint(source);
        for (std::size_t i = 0; i < endpoints.size(); ++i) {
            if (endpoints[i].url() == endpoint.url()) {
                throw ConfigError("hosts \"" + std::string(sources[i]) + "\" and \"" + std::string(source) +
                                  "\" name the same node (" + endpoint.url() + "); list each node once");
            }
        }
        endpoints.push_back(std::move(endpoint));
        sources.push_back(source);
    }
    if (endpoints.empty()) throw ConfigError("the host list is empty: give at least one host");
    return endpoints;
}

std::vector<Endpoint> parse_host_list(std::string_view comma_separated) {
    std::vector<std::string> items;
    std::size_t begin = 0;
    while (begin <= comma_separated.size()) {
        const std::size_t end = std::min(comma_separated.find(',', begin), comma_separated.size());
        items.emplace_back(comma_separated.substr(begin, end - begin));
        begin = end + 1;
    }
    return parse_hosts(items);
}

}  // namespace cluster_client::http
