// SPDX-License-Identifier: MIT
#include "soak_bench.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <ostream>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <cluster_client/cluster_client.hpp>
#include <cluster_client/errors.hpp>

#include "node_thread.hpp"

namespace cluster_client::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_violations_kept = 20;
// A saga left open is recovered until it ends; faults are random, so this is plenty.
constexpr int max_recovery_rounds = 200;

double resident_mb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024.0;
    }
    return 0;
}

void check(const SoakOptions& options) {
    if (options.duration.count() < 1) throw ConfigError("--duration must be at least 1s");
    if (options.nodes < 1) throw ConfigError("--nodes must be at least 1");
    if (options.concurrency < 1) throw ConfigError("--concurrency must be at least 1");
    if (options.groups < options.concurrency) {
        throw ConfigError("--groups (" + std::to_string(options.groups) + ") must be at least --concurrency (" +
                          std::to_string(options.concurrency) + "): each saga in flight needs a group of its own");
    }
    if (!(options.fault_rate >= 0.0 && options.fault_rate <= 1.0)) throw ConfigError("--fault-rate must be 0 to 1");
    if (options.sample_every.count() < 1) throw ConfigError("--sample-every must be at least 1s");
    if (options.retention.count() < 0) throw ConfigError("--retention must not be negative");
}

double files_mb(const std::filesystem::path& dir) {
    std::error_code error;
    double bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
        if (entry.is_regular_file(error)) bytes += static_cast<double>(entry.file_size(error));
    }
    return bytes / (1024.0 * 1024.0);
}

reference_node::FaultOptions faults(const SoakOptions& options) {
    const double share = options.fault_rate / 5;
    reference_node::FaultOptions result;
    result.p_500_before = share;
    result.p_500_after = share;
    result.p_reset = share;
    result.p_hang_before = share;
    result.p_hang_after = share;
    result.seed = options.seed;
    return result;
}

// Short timeouts, so that a hung request costs a quarter of a second, not two.
ClientOptions client_options(std::vector<std::string> urls, const std::filesystem::path& state_dir) {
    ClientOptions result{.hosts = std::move(urls)};
    result.retry.attempt_timeout = 250ms;
    result.retry.deadline = 2s;
    result.retry.saga_deadline = 4s;
    result.saga_log.state_dir = state_dir.string();
    return result;
}

// Whether the group should be on every node after a saga that ended with `outcome`, given
// whether it was before; nullopt for an outcome a saga on an all-or-none group cannot have.
std::optional<bool> expected_presence(SagaOutcome outcome, bool before) {
    switch (outcome) {
        case SagaOutcome::created:
        case SagaOutcome::already_exists: return true;
        case SagaOutcome::deleted:
        case SagaOutcome::not_found: return false;
        case SagaOutcome::rolled_back: return before;
        default: return std::nullopt;
    }
}

class Soak {
public:
    Soak(const SoakOptions& options, const std::function<void(const SoakRow&)>& on_row)
        : options_(options),
          on_row_(on_row),
          nodes_(options.nodes, 0ms),
          random_(options.seed),
          present_(options.groups, false),
          state_dir_(std::filesystem::temp_directory_path() / ("cluster-bench-soak-" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(state_dir_);
        nodes_.cluster().set_faults(faults(options));
    }
    ~Soak() { std::filesystem::remove_all(state_dir_); }

    SoakResult run() {
        {
            asio::io_context io{1};
            ClusterClient client(io.get_executor(), client_options(nodes_.urls(), state_dir_));
            started_ = Clock::now();
            end_ = started_ + options_.duration;
            active_ = options_.concurrency;
            for (std::size_t worker = 0; worker < options_.concurrency; ++worker) {
                asio::co_spawn(io, work(client, worker), asio::detached);
            }
            asio::co_spawn(io, sample(client), asio::detached);
            io.run();
            // While the log is open, so that its WAL counts as in every other row.
            record_row();
        }
        return verdict();
    }

private:
    // Worker w owns the groups w, w + concurrency, ...: one saga per group at a time.
    asio::awaitable<void> work(ClusterClient& client, std::size_t worker) {
        const std::size_t owned = (options_.groups - worker + options_.concurrency - 1) / options_.concurrency;
        while (Clock::now() < end_) {
            const auto group =
                worker + options_.concurrency * std::uniform_int_distribution<std::size_t>(0, owned - 1)(random_);
            const bool before = present_[group];
            // Mostly the call that changes the group; sometimes the one that finds it done.
            const bool usual = std::uniform_int_distribution<int>(0, 9)(random_) != 0;
            const auto operation = before == usual ? Operation::delete_ : Operation::create;
            const auto id = "soak-" + std::to_string(group);
            auto report = co_await client.run(operation, id);
            if (report.left_open()) report = co_await recover(client, report);
            check_saga(report, group, before);
        }
        --active_;
    }

    // Runs recover() until the saga on `report.group` has ended; another worker's recover()
    // may end it, so every recovered report is kept by group.
    asio::awaitable<SagaReport> recover(ClusterClient& client, SagaReport report) {
        ++recovered_;
        for (int round = 0; round < max_recovery_rounds; ++round) {
            for (auto& recovered : co_await client.recover()) {
                recoveries_[recovered.group] = std::move(recovered);
            }
            const auto found = recoveries_.find(report.group);
            if (found != recoveries_.end() && !found->second.left_open()) {
                auto ended = std::move(found->second);
                recoveries_.erase(found);
                co_return ended;
            }
            asio::steady_timer pause(co_await asio::this_coro::executor, 50ms);
            co_await pause.async_wait(asio::use_awaitable);
        }
        violation("I4: the saga on " + report.group + " was still open after " + std::to_string(max_recovery_rounds) +
                  " recoveries");
        co_return report;
    }

    void check_saga(const SagaReport& report, std::size_t group, bool before) {
        ++sagas_;
        int holding = 0;
        for (int node = 0; node < options_.nodes; ++node)
            holding += nodes_.cluster().contains(node, report.group) ? 1 : 0;
        const std::string what = report.group + " after " + std::string(to_string(report.operation)) + " ended " +
                                 std::string(to_string(report.outcome));
        if (holding != 0 && holding != options_.nodes) {
            violation("I1: " + what + ": on " + std::to_string(holding) + " of " + std::to_string(options_.nodes) +
                      " nodes");
        }
        const auto expected = expected_presence(report.outcome, before);
        if (!expected) {
            violation("I2: " + what + ": not an outcome a saga on an all-or-none group can have");
        } else if ((holding == options_.nodes) != *expected) {
            violation("I2/I3: " + what + ": the group is on " + std::to_string(holding) + " nodes");
        }
        if (report.ok()) ++ok_;
        if (report.outcome == SagaOutcome::rolled_back) ++rolled_back_;
        present_[group] = holding == options_.nodes;
    }

    void violation(std::string what) {
        ++violation_count_;
        if (violations_.size() < max_violations_kept) violations_.push_back(std::move(what));
    }

    asio::awaitable<void> sample(ClusterClient& client) {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        auto next = started_ + options_.sample_every;
        while (active_ > 0) {
            // Wakes often enough to notice the end of the run, rows still on the sample grid.
            timer.expires_at(std::min(next, Clock::now() + 100ms));
            co_await timer.async_wait(asio::use_awaitable);
            if (Clock::now() >= next) {
                record_row();
                next += options_.sample_every;
                if (options_.retention.count() > 0) {
                    co_await client.prune_sagas(std::chrono::system_clock::now() - options_.retention);
                }
            }
        }
    }

    void record_row() {
        const auto now = Clock::now();
        SoakRow row;
        row.seconds = std::chrono::duration<double>(now - started_).count();
        row.sagas = sagas_;
        const double interval = rows_.empty() ? row.seconds : row.seconds - rows_.back().seconds;
        const auto since = rows_.empty() ? sagas_ : sagas_ - rows_.back().sagas;
        row.sagas_per_second = interval > 0 ? static_cast<double>(since) / interval : 0;
        row.ok = ok_;
        row.rolled_back = rolled_back_;
        row.recovered = recovered_;
        row.violations = violation_count_;
        row.rss_mb = resident_mb();
        row.log_mb = files_mb(state_dir_);
        rows_.push_back(row);
        on_row_(row);
    }

    SoakResult verdict() const {
        SoakResult result{.rows = rows_, .violations = violations_};
        const double warm = static_cast<double>(options_.duration.count()) / 5;
        const SoakRow* baseline = &rows_.front();
        for (const auto& row : rows_) {
            if (row.seconds >= warm) {
                baseline = &row;
                break;
            }
        }
        result.growth_mb = rows_.back().rss_mb - baseline->rss_mb;
        result.log_growth_mb = rows_.back().log_mb - baseline->log_mb;
        result.passed = violation_count_ == 0 && result.growth_mb <= options_.max_growth_mb &&
                        result.log_growth_mb <= options_.max_log_growth_mb;
        return result;
    }

    const SoakOptions& options_;
    const std::function<void(const SoakRow&)>& on_row_;
    NodeThread nodes_;
    std::mt19937_64 random_;
    std::vector<bool> present_;  ///< the model: is the group on every node
    std::filesystem::path state_dir_;
    Clock::time_point started_{};
    Clock::time_point end_{};
    std::size_t active_ = 0;
    std::size_t sagas_ = 0;
    std::size_t ok_ = 0;
    std::size_t rolled_back_ = 0;
    std::size_t recovered_ = 0;
    std::size_t violation_count_ = 0;
    std::vector<std::string> violations_;
    std::map<std::string, SagaReport> recoveries_;
    std::vector<SoakRow> rows_;
};

}  // namespace

SoakResult run_soak(const SoakOptions& options, const std::function<void(const SoakRow&)>& on_row) {
    check(options);
    Soak soak(options, on_row);
    return soak.run();
}

void print_soak_header(std::ostream& out) {
    out << std::setw(8) << "seconds" << std::setw(10) << "sagas" << std::setw(9) << "sagas/s" << std::setw(9) << "ok"
        << std::setw(12) << "rolled back" << std::setw(11) << "recovered" << std::setw(12) << "violations"
        << std::setw(9) << "RSS MB" << std::setw(8) << "log MB" << '\n';
}

void print_soak_row(std::ostream& out, const SoakRow& row) {
    out << std::fixed << std::setprecision(0) << std::setw(8) << row.seconds << std::setw(10) << row.sagas
        << std::setw(9) << row.sagas_per_second << std::setw(9) << row.ok << std::setw(12) << row.rolled_back
        << std::setw(11) << row.recovered << std::setw(12) << row.violations << std::setprecision(1) << std::setw(9)
        << row.rss_mb << std::setw(8) << row.log_mb << std::endl;
}

void print_soak_summary(std::ostream& out, const SoakResult& result) {
    const auto& last = result.rows.back();
    out << std::fixed << std::setprecision(1) << (result.passed ? "passed" : "FAILED") << ": " << last.sagas
        << " sagas in " << last.seconds << " s, " << last.violations << " invariant violations, resident memory "
        << std::showpos << result.growth_mb << " MB and saga log " << result.log_growth_mb << std::noshowpos
        << " MB after the first fifth\n";
    for (const auto& violation : result.violations) out << "  " << violation << '\n';
}

void print_soak_row_json(std::ostream& out, const SoakRow& row) {
    out << boost::json::serialize(boost::json::object{{"seconds", row.seconds},
                                                      {"sagas", row.sagas},
                                                      {"sagas_per_second", row.sagas_per_second},
                                                      {"ok", row.ok},
                                                      {"rolled_back", row.rolled_back},
                                                      {"recovered", row.recovered},
                                                      {"violations", row.violations},
                                                      {"rss_mb", row.rss_mb},
                                                      {"log_mb", row.log_mb}})
        << std::endl;
}

void print_soak_summary_json(std::ostream& out, const SoakResult& result) {
    boost::json::array violations;
    for (const auto& violation : result.violations) violations.emplace_back(violation);
    out << boost::json::serialize(boost::json::object{{"passed", result.passed},
                                                      {"sagas", result.rows.back().sagas},
                                                      {"violations", result.rows.back().violations},
                                                      {"growth_mb", result.growth_mb},
                                                      {"log_growth_mb", result.log_growth_mb},
                                                      {"first_violations", std::move(violations)}})
        << '\n';
}

}  // namespace cluster_client::bench
