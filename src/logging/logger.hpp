// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <spdlog/logger.h>

namespace cluster_client::logging {

/// `given`, or, when it is null (the options' way to ask for no logs), a logger without
/// sinks: the client's parts log without asking whether anyone listens.
std::shared_ptr<spdlog::logger> or_silent(std::shared_ptr<spdlog::logger> given);

}  // namespace cluster_client::logging
