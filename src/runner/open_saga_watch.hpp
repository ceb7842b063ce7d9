// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "metrics/client_metrics.hpp"
#include "saga/saga_log.hpp"

namespace cluster_client::saga {

/// Keeps the open-saga gauges (how many, how old the oldest) true to the saga log: it reads
/// the log's open sagas at once, then every `interval` and whenever asked, on a thread of
/// its own, so that an idle client's gauges still age and the client's executor never waits
/// on it. A read that fails or takes longer than `interval` leaves the last values.
class OpenSagaWatch {
public:
    static constexpr std::chrono::seconds default_interval{5};

    OpenSagaWatch(std::shared_ptr<SagaLog> log, metrics::ClientMetrics& metrics,
                  std::chrono::milliseconds interval = default_interval);
    ~OpenSagaWatch();
    OpenSagaWatch(const OpenSagaWatch&) = delete;
    OpenSagaWatch& operator=(const OpenSagaWatch&) = delete;

    /// Reads the log again now (after sagas ended or were recovered). Any thread.
    void refresh_soon();

private:
    void read_log(const std::stop_token& stop);

    std::shared_ptr<SagaLog> log_;
    metrics::ClientMetrics& metrics_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    bool asked_ = false;
    std::jthread thread_;  ///< last: it stops and joins before the rest goes
};

}  // namespace cluster_client::saga
