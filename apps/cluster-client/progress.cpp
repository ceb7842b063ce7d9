// SPDX-License-Identifier: MIT
#include "progress.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace cluster_client::cli {

namespace {

constexpr auto redraw_interval = std::chrono::milliseconds(100);

// "45s", "12m05s", "3h07m".
std::string short_duration(double seconds) {
    const auto whole = static_cast<long long>(seconds + 0.5);
    char text[32];
    if (whole < 60) {
        std::snprintf(text, sizeof text, "%llds", whole);
    } else if (whole < 3600) {
        std::snprintf(text, sizeof text, "%lldm%02llds", whole / 60, whole % 60);
    } else {
        std::snprintf(text, sizeof text, "%lldh%02lldm", whole / 3600, whole % 3600 / 60);
    }
    return text;
}

}  // namespace

std::string progress_text(const ProgressCounts& counts, std::optional<std::size_t> total,
                          std::chrono::steady_clock::duration elapsed) {
    std::string text;
    if (total && *total > 0) {
        constexpr std::size_t width = 30;
        const auto done = std::min(counts.done, *total);
        const auto filled = done * width / *total;
        text += '[' + std::string(filled, '#') + std::string(width - filled, ' ') + "] ";
        text += std::to_string(counts.done) + '/' + std::to_string(*total) + "  " +
                std::to_string(done * 100 / *total) + '%';
    } else {
        text += std::to_string(counts.done) + " done";
    }
    const double seconds = std::chrono::duration<double>(elapsed).count();
    if (counts.done > 0 && seconds > 0) {
        const double rate = static_cast<double>(counts.done) / seconds;
        char rate_text[32];
        std::snprintf(rate_text, sizeof rate_text, rate < 10 ? "%.1f/s" : "%.0f/s", rate);
        text += "  ";
        text += rate_text;
        if (total && *total > counts.done) {
            text += "  ETA " + short_duration(static_cast<double>(*total - counts.done) / rate);
        }
    }
    text += "  failed " + std::to_string(counts.failed) + "  open " + std::to_string(counts.open);
    return text;
}

ProgressLine::ProgressLine(std::ostream* out, bool shares_terminal, std::optional<std::size_t> total)
    : out_(out), shares_terminal_(shares_terminal), total_(total) {}

void ProgressLine::before_report() {
    if (out_ == nullptr || !shares_terminal_ || !shown_) return;
    *out_ << "\r\033[K";
    out_->flush();
    shown_ = false;
}

void ProgressLine::update(const ProgressCounts& counts) {
    if (out_ == nullptr) return;
    const auto now = std::chrono::steady_clock::now();
    if (shown_ && now - drawn_at_ < redraw_interval) return;
    draw(counts, now);
}

void ProgressLine::finish(const ProgressCounts& counts) {
    if (out_ == nullptr) return;
    draw(counts, std::chrono::steady_clock::now());
    *out_ << '\n';
    out_->flush();
    shown_ = false;
}

void ProgressLine::draw(const ProgressCounts& counts, std::chrono::steady_clock::time_point now) {
    // Erasing after the text, not before it: the old line stays until the new one covers it.
    *out_ << '\r' << progress_text(counts, total_, now - started_) << "\033[K";
    out_->flush();
    drawn_at_ = now;
    shown_ = true;
}

}  // namespace cluster_client::cli
