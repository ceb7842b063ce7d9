// SPDX-License-Identifier: MIT
#include <memory>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cluster_client/options.hpp>

#include "logging/logger.hpp"

namespace cluster_client {

std::shared_ptr<spdlog::logger> default_logger() {
    // Not registered with spdlog's registry: the application's loggers and default logger
    // stay its own.
    static const auto logger = [] {
        auto made =
            std::make_shared<spdlog::logger>("cluster_client", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        made->set_level(spdlog::level::warn);
        made->set_pattern("cluster_client: [%l] %v");
        return made;
    }();
    return logger;
}

namespace logging {

std::shared_ptr<spdlog::logger> or_silent(std::shared_ptr<spdlog::logger> given) {
    static const auto silent = std::make_shared<spdlog::logger>("cluster_client");
    return given ? std::move(given) : silent;
}

}  // namespace logging

}  // namespace cluster_client
