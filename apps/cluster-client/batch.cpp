// SPDX-License-Identifier: MIT
#include "batch.hpp"

#include <fstream>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "progress.hpp"

namespace cluster_client::cli {

namespace asio = boost::asio;

namespace {

void validate_line(const std::string& id, std::size_t line) {
    if (auto error = group_id_error(id)) throw InvalidGroupId("line " + std::to_string(line) + ": " + *error);
}

bool is_blank(const std::string& line) {
    return line.find_first_not_of(" \t\r") == std::string::npos;
}

ProgressCounts counts_of(const BatchTotals& totals) {
    return {totals.ok + totals.failed + totals.left_open, totals.failed, totals.left_open};
}

}  // namespace

IdSource IdSource::from_args(std::vector<std::string> ids) {
    for (const auto& id : ids) validate_group_id(id);
    IdSource source;
    source.total_ = ids.size();
    source.ids_ = std::move(ids);
    return source;
}

IdSource IdSource::from_file(const std::string& path) {
    IdSource source;
    if (path == "-") {
        source.stream_ = std::shared_ptr<std::istream>(&std::cin, [](std::istream*) {});
        return source;
    }
    auto file = std::make_shared<std::ifstream>(path);
    if (!*file) throw ConfigError("--from-file " + path + ": cannot open the file for reading");
    std::string line;
    std::size_t count = 0;
    for (std::size_t number = 1; std::getline(*file, line); ++number) {
        if (is_blank(line)) continue;
        validate_line(line, number);
        ++count;
    }
    file->clear();
    file->seekg(0);
    source.stream_ = std::move(file);
    source.total_ = count;
    return source;
}

std::optional<std::string> IdSource::next() {
    if (!stream_) {
        if (position_ == ids_.size()) return std::nullopt;
        return std::move(ids_[position_++]);
    }
    std::string line;
    while (std::getline(*stream_, line)) {
        ++line_;
        if (is_blank(line)) continue;
        validate_line(line, line_);
        return line;
    }
    return std::nullopt;
}

BatchTotals run_batch(asio::io_context& io, ClusterClient& client, Operation operation, IdSource& ids,
                      const BatchOptions& options, OutputFormat format, std::ostream& out,
                      const ProgressTarget& progress) {
    BatchTotals totals;
    ProgressLine bar(progress.out, progress.shares_terminal, ids.total());
    auto worker = [&]() -> asio::awaitable<void> {
        while (!totals.input_error && !totals.log_error) {
            std::optional<std::string> id;
            try {
                id = ids.next();
            } catch (const InvalidGroupId& error) {
                totals.input_error = error.what();
            }
            if (!id) co_return;
            SagaReport report;
            try {
                report = co_await client.run(operation, std::move(*id));
            } catch (const Error& error) {
                if (!totals.log_error) totals.log_error = error.what();
                ++totals.left_open;
                co_return;
            }
            if (report.ok() || (options.not_found_is_success && report.outcome == SagaOutcome::not_found)) {
                ++totals.ok;
            } else if (report.left_open()) {
                ++totals.left_open;
            } else {
                ++totals.failed;
            }
            bar.before_report();
            print_report(out, format, report);
            bar.update(counts_of(totals));
        }
    };
    bar.update(counts_of(totals));
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options.concurrency); ++i) {
        asio::co_spawn(io, worker(), asio::detached);
    }
    io.run();
    bar.finish(counts_of(totals));
    return totals;
}

}  // namespace cluster_client::cli
