// SPDX-License-Identifier: MIT
// Hosts: any text is either refused with a ConfigError or parsed into an endpoint whose
// canonical url parses back to the same endpoint and url. The url is the host's name in
// reports and the key that finds duplicates, so it must be a fixed point.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <cluster_client/errors.hpp>

#include "check.hpp"
#include "http/endpoint.hpp"

namespace {

using cluster_client::ConfigError;
using cluster_client::fuzz::broken;
using cluster_client::fuzz::printable;
using cluster_client::fuzz::require;
using cluster_client::http::Endpoint;

bool is_ipv6(const Endpoint& endpoint) {
    return endpoint.host.find(':') != std::string::npos;
}

void check_endpoint(const Endpoint& endpoint, std::string_view source) {
    const std::string url = endpoint.url();
    const auto context = [&] { return "\"" + printable(source) + "\" -> \"" + printable(url) + "\""; };
    require(!endpoint.host.empty() && endpoint.port != 0, "an endpoint has a host and a port", context);
    if (!is_ipv6(endpoint)) {
        for (const char c : endpoint.host) {
            require(!(c >= 'A' && c <= 'Z'), "a host name is kept in lower case", context);
        }
    }
    const std::string& prefix = endpoint.path_prefix;
    require(prefix.empty() || (prefix.front() == '/' && prefix.back() != '/' && prefix.find("//") == std::string::npos),
            "a path prefix is empty or /a/b, without empty segments", context);
    require(url.starts_with(endpoint.tls ? "https://" : "http://") && url.ends_with(prefix) &&
                url.find(endpoint.host_header()) != std::string::npos,
            "the url is the scheme, the Host header and the prefix", context);

    Endpoint again;
    try {
        again = cluster_client::http::parse_endpoint(url);
    } catch (const ConfigError& error) {
        broken("a canonical url parses again", context() + ": " + error.what());
    }
    require(again == endpoint, "a canonical url parses to the same endpoint",
            [&] { return context() + " -> \"" + printable(again.url()) + "\""; });
    require(again.url() == url, "the canonical url is a fixed point",
            [&] { return context() + " -> \"" + printable(again.url()) + "\""; });
}

void check_error(const ConfigError& error, std::string_view source) {
    const std::string_view message = error.what();
    require(message.starts_with("invalid host \"") || message.starts_with("hosts \"") ||
                message.starts_with("the host list is empty"),
            "a refused host list names the host and the rule",
            [&] { return "\"" + printable(source) + "\": " + printable(message); });
}

std::vector<std::string> split_on_commas(std::string_view text) {
    std::vector<std::string> items;
    std::size_t begin = 0;
    for (;;) {
        const auto comma = text.find(',', begin);
        items.emplace_back(
            text.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin));
        if (comma == std::string_view::npos) break;
        begin = comma + 1;
    }
    return items;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Only ConfigError is caught: any other exception escapes and is reported as a crash.
    try {
        check_endpoint(cluster_client::http::parse_endpoint(text), text);
    } catch (const ConfigError& error) {
        check_error(error, text);
    }

    // The list: the comma-separated text and its items given one by one must agree, every
    // item must be one parse_endpoint accepts, and the list of canonical urls must parse
    // back to the same list.
    std::vector<Endpoint> list;
    bool list_refused = false;
    try {
        list = cluster_client::http::parse_host_list(text);
    } catch (const ConfigError& error) {
        check_error(error, text);
        list_refused = true;
    }
    std::vector<Endpoint> items;
    bool items_refused = false;
    try {
        items = cluster_client::http::parse_hosts(split_on_commas(text));
    } catch (const ConfigError& error) {
        check_error(error, text);
        items_refused = true;
    }
    require(list_refused == items_refused && list == items, "parse_host_list and parse_hosts of the same items agree",
            [&] { return "\"" + printable(text) + "\""; });
    if (list_refused) return 0;

    std::string canonical;
    for (std::size_t i = 0; i < list.size(); ++i) {
        check_endpoint(list[i], text);
        for (std::size_t j = 0; j < i; ++j) {
            require(list[i].url() != list[j].url(), "a host list names each node once",
                    [&] { return "\"" + printable(text) + "\""; });
        }
        canonical += (i == 0 ? "" : ",") + list[i].url();
    }
    try {
        require(cluster_client::http::parse_host_list(canonical) == list,
                "the canonical urls of a list parse to the same list",
                [&] { return "\"" + printable(canonical) + "\""; });
    } catch (const ConfigError& error) {
        broken("the canonical urls of a list parse again", printable(canonical) + ": " + error.what());
    }
    return 0;
}
