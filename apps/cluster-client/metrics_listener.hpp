// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace cluster_client::cli {

/// Why `address` cannot be listened on for metrics (ADDR:PORT, an IPv4 address and a port
/// from 0 to 65535, 0 for any free one), or nullopt.
std::optional<std::string> metrics_address_error(std::string_view address);

/// Serves a registry's metrics at http://HOST:PORT/metrics while it lives, for Prometheus
/// to scrape, on threads of its own (prometheus-cpp's exposer), so a run's event loop
/// never serves a scrape.
class MetricsListener {
public:
    /// Throws ConfigError when `address` breaks the rule above or cannot be listened on.
    MetricsListener(const std::string& address, std::shared_ptr<prometheus::Registry> registry);
    ~MetricsListener();
    MetricsListener(const MetricsListener&) = delete;
    MetricsListener& operator=(const MetricsListener&) = delete;

    /// Where the metrics are, with the port actually bound.
    const std::string& url() const { return url_; }

private:
    std::unique_ptr<prometheus::Exposer> exposer_;
    std::string url_;
};

}  // namespace cluster_client::cli
