// SPDX-License-Identifier: MIT
#include "log_sink.hpp"

#include <memory>
#include <mutex>
#include <string>

#include <pybind11/pybind11.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "interpreter.hpp"

namespace py = pybind11;

namespace cluster_client::python {

namespace {

int python_level_of(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace: return 5;
        case spdlog::level::debug: return 10;
        case spdlog::level::info: return 20;
        case spdlog::level::warn: return 30;
        case spdlog::level::err: return 40;
        case spdlog::level::critical: return 50;
        default: return 0;
    }
}

spdlog::level::level_enum spdlog_level_of(int python_level) {
    if (python_level <= 5) return spdlog::level::trace;
    if (python_level <= 10) return spdlog::level::debug;
    if (python_level <= 20) return spdlog::level::info;
    if (python_level <= 30) return spdlog::level::warn;
    if (python_level <= 40) return spdlog::level::err;
    if (python_level <= 50) return spdlog::level::critical;
    return spdlog::level::off;
}

// The GIL is the lock: a sink mutex taken before it could deadlock against a thread that
// holds the GIL and logs.
class PythonSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    explicit PythonSink(py::object logger) : logger_(new py::object(std::move(logger))) {}
    // The logger outlives the interpreter's own objects: it is never dropped.
    ~PythonSink() override = default;

protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        if (!python_open) return;
        const std::string text(message.payload.begin(), message.payload.end());
        py::gil_scoped_acquire gil;
        try {
            logger_->attr("log")(python_level_of(message.level), text);
        } catch (py::error_already_set& error) {
            error.discard_as_unraisable("cluster_client logging");
        }
    }
    void flush_() override {}

private:
    py::object* logger_;
};

}  // namespace

std::shared_ptr<spdlog::logger> python_logger() {
    static const auto logger = std::make_shared<spdlog::logger>(
        "cluster_client",
        std::make_shared<PythonSink>(py::module_::import("logging").attr("getLogger")("cluster_client")));
    return logger;
}

void log_to_python(int python_level) {
    python_logger()->set_level(spdlog_level_of(python_level));
}

}  // namespace cluster_client::python
