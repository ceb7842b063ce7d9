// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

namespace cluster_client::cli {

/// How far a batch has got.
struct ProgressCounts {
    std::size_t done = 0;    ///< sagas ended, whatever their outcome
    std::size_t failed = 0;  ///< ended and failed cleanly
    std::size_t open = 0;    ///< ended and left open
};

/// The progress line's text: "[#####     ] 412/1000  41%  823/s  ETA 1s  failed 3  open 0",
/// or "412 done  823/s  failed 3  open 0" when the total is not known (ids read from stdin).
/// The rate is the whole batch's; before the first saga ends there is no rate and no ETA.
std::string progress_text(const ProgressCounts& counts, std::optional<std::size_t> total,
                          std::chrono::steady_clock::duration elapsed);

/// The progress line of a batch on a terminal, redrawn in place ('\r', then erase to the end
/// of the line) at most every 100 ms. When the reports go to the same terminal, the line is
/// erased before each report and drawn again right after it: it is never left blank.
class ProgressLine {
public:
    /// `out` null: no progress line. `shares_terminal`: the reports are printed to the same
    /// terminal.
    ProgressLine(std::ostream* out, bool shares_terminal, std::optional<std::size_t> total);

    /// Call before a report is printed.
    void before_report();
    /// Draws the line if it was erased or 100 ms have passed since it was drawn.
    void update(const ProgressCounts& counts);
    /// Draws the line a last time and ends it.
    void finish(const ProgressCounts& counts);

private:
    void draw(const ProgressCounts& counts, std::chrono::steady_clock::time_point now);

    std::ostream* out_;
    bool shares_terminal_;
    std::optional<std::size_t> total_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point drawn_at_{};
    bool shown_ = false;
};

}  // namespace cluster_client::cli
