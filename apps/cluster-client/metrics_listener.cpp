// SPDX-License-Identifier: MIT
#include "metrics_listener.hpp"

#include <charconv>
#include <exception>

#include <boost/asio/ip/address_v4.hpp>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <cluster_client/errors.hpp>

namespace cluster_client::cli {

std::optional<std::string> metrics_address_error(std::string_view address) {
    const auto refused = [&] {
        return "must be ADDR:PORT, an IPv4 address (the metrics server has no IPv6) and a port from 0 to 65535 "
               "(0: any free one), such as 127.0.0.1:9464 (got '" +
               std::string(address) + "')";
    };
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos) return refused();
    boost::system::error_code ec;
    boost::asio::ip::make_address_v4(std::string(address.substr(0, colon)), ec);
    unsigned port = 0;
    const auto digits = address.substr(colon + 1);
    const auto* end = digits.data() + digits.size();
    const auto [last, error] = std::from_chars(digits.data(), end, port);
    if (ec || digits.empty() || error != std::errc{} || last != end || port > 65535) return refused();
    return std::nullopt;
}

MetricsListener::MetricsListener(const std::string& address, std::shared_ptr<prometheus::Registry> registry) {
    if (auto why = metrics_address_error(address)) throw ConfigError("--metrics-listen: " + *why);
    try {
        exposer_ = std::make_unique<prometheus::Exposer>(address, 1);
    } catch (const std::exception& error) {
        throw ConfigError("--metrics-listen: cannot listen on " + address + ": " + error.what());
    }
    exposer_->RegisterCollectable(registry);
    const auto ports = exposer_->GetListeningPorts();
    url_ = "http://" + address.substr(0, address.rfind(':')) + ":" + std::to_string(ports.empty() ? 0 : ports.front()) +
           "/metrics";
}

MetricsListener::~MetricsListener() = default;

}  // namespace cluster_client::cli
