// SPDX-License-Identifier: MIT
#include "runner/open_saga_watch.hpp"

#include <algorithm>
#include <future>

#include <boost/asio/use_future.hpp>

namespace cluster_client::saga {

OpenSagaWatch::OpenSagaWatch(std::shared_ptr<SagaLog> log, metrics::ClientMetrics& metrics,
                             std::chrono::milliseconds interval)
    : log_(std::move(log)), metrics_(metrics), interval_(interval), thread_([this](std::stop_token stop) {
          while (!stop.stop_requested()) {
              read_log(stop);
              std::unique_lock lock(mutex_);
              wake_.wait_for(lock, stop, interval_, [this] { return asked_; });
              asked_ = false;
          }
      }) {}

OpenSagaWatch::~OpenSagaWatch() = default;

void OpenSagaWatch::refresh_soon() {
    {
        std::lock_guard lock(mutex_);
        asked_ = true;
    }
    wake_.notify_one();
}

void OpenSagaWatch::read_log(const std::stop_token& stop) {
    auto open = log_->async_open_sagas(boost::asio::use_future);
    // Waits in slices, so that the client's end is never held up by a slow log.
    constexpr std::chrono::milliseconds slice{50};
    for (auto waited = std::chrono::milliseconds(0); open.wait_for(slice) != std::future_status::ready;
         waited += slice) {
        if (stop.stop_requested() || waited >= interval_) return;
    }
    try {
        const auto records = open.get();
        auto oldest = std::chrono::system_clock::time_point::max();
        for (const auto& record : records) oldest = std::min(oldest, record.started_at);
        const auto age = records.empty() ? metrics::Seconds(0)
                                         : std::max(metrics::Seconds(0),
                                                    metrics::Seconds(std::chrono::system_clock::now() - oldest));
        metrics_.set_open_sagas(records.size(), age);
    } catch (const std::exception&) {
        // The log cannot be read now: the gauges keep the last values it gave.
    }
}

}  // namespace cluster_client::saga
