// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include <cluster_client/options.hpp>

#include "log/postgres/fence.hpp"
#include "oracle.hpp"
#include "retry/circuit_breaker.hpp"
#include "retry/retry_budget.hpp"
#include "retry/retry_policy.hpp"
#include "saga/admission.hpp"
#include "saga/saga_machine.hpp"

namespace simulation {

using Clock = cluster_client::retry::Clock;
using Time = Clock::time_point;
using Duration = Clock::duration;

/// One simulated run, all drawn from one seed: a cluster, one or two sagas on one group,
/// the faults, the other writer, the crashes and the recoveries.
struct Scenario {
    std::uint64_t seed = 0;
    std::size_t nodes = 3;
    std::vector<bool> initially_present;
    std::vector<unsigned> missing_delete_status;  ///< what each node answers to a DELETE of nothing
    std::vector<Operation> sagas;                 ///< one, or two contending for the group
    Duration second_after{};                      ///< when the second saga is asked for
    cluster_client::Ownership ownership = cluster_client::Ownership::strict;
    cluster_client::DeleteMode delete_mode = cluster_client::DeleteMode::rollback;
    /// The delete mode of the clients that recover: as often another client's as the same.
    cluster_client::DeleteMode recovery_delete_mode = cluster_client::DeleteMode::rollback;
    double fault_rate = 0.0;    ///< per request: one of docs/node-api.md's faults
    double foreign_rate = 0.0;  ///< per request of ours: the other writer flips that node soon after
    double down_rate = 0.0;     ///< per node and round: down for a while
    int crash_at = 0;           ///< the client dies before its crash_at-th event (0: never)
    /// The client stops before its pause_at-th event (0: never), as SIGSTOP or a long pause
    /// would stop it, for pause_for, past its lease on the shared log: another coordinator
    /// takes its open saga over, then it wakes up, fenced.
    int pause_at = 0;
    Duration pause_for{};
    int recovery_rounds = 0;  ///< recoveries under faults (each may crash) before the last, healthy one
    double recovery_crash_rate = 0.0;

    static Scenario draw(std::uint64_t seed);
    std::string describe() const;
};

/// Runs a Scenario: the real SagaMachine, driven by a single-threaded event loop in
/// simulated time, against simulated nodes and a simulated saga log. Nothing else runs: the
/// same seed gives the same run.
class World {
public:
    World(const Scenario& scenario, bool tracing);
    ~World();
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    void run();

    const Oracle& oracle() const { return oracle_; }
    const std::vector<std::string>& trace() const { return trace_; }
    /// Sagas begun (admitted to the group and logged).
    int sagas_begun() const { return sagas_begun_; }
    /// Sagas another coordinator took over from a paused one.
    int takeovers() const { return takeovers_; }
    /// Node requests the fence kept a paused coordinator from sending once it woke up.
    int fenced_requests() const { return fenced_requests_; }

private:
    struct LoggedSaga {
        int owner = 0;  ///< the client (epoch) whose lease holds it
        Operation operation = Operation::create;
        cluster_client::saga::Phase phase = cluster_client::saga::Phase::forward;
        std::vector<std::vector<cluster_client::saga::Fact>> facts;
        bool open = true;
        std::string outcome = "running";
    };
    struct Request {
        int saga = 0;
        std::size_t node = 0;
        cluster_client::node_api::Call call{};
        bool processed = false;
        bool answered = false;
    };
    struct Running;
    /// A client's lease on the shared log: its end by the database's clock, and the real
    /// fence the coordinator asks before every node request.
    struct Lease {
        Time db_end = Time::max();
        cluster_client::log::postgres::Fence fence;
    };
    struct Event {
        Time at;
        std::uint64_t sequence;
        std::function<void()> action;
        bool operator>(const Event& other) const { return at != other.at ? at > other.at : sequence > other.sequence; }
    };

    // The loop.
    void at(Time when, std::function<void()> action);
    /// A client event: dropped if the client died since; may be the one it dies before.
    void client_at(Time when, std::function<void()> action);
    void client_event(int epoch, std::function<void()> action);
    void drain();
    void note(const std::string& text);

    // The client.
    void ask(int saga, Operation operation);
    void admit(int saga, Operation operation);
    void begin(int saga, Operation operation);
    void admission_step(int saga, Operation operation, std::shared_ptr<cluster_client::saga::Admission> admission,
                        cluster_client::saga::Admission::Action action);
    void recover(int saga, std::function<void(cluster_client::SagaOutcome)> then);
    void start(std::unique_ptr<Running> running);
    void carry_out(Running& running, std::vector<cluster_client::saga::SagaAction> actions);
    void send(Running& running, const cluster_client::saga::SendRequest& request);
    void append(Running& running, cluster_client::saga::AppendRecord record);
    void check_licensed(int saga, const cluster_client::saga::SendRequest& request);
    void done(Running& running);
    void release_group();
    void crash();
    void new_client();
    Lease& take_lease();
    /// The client stops (SIGSTOP) until resume_at_; its lease runs out meanwhile.
    void pause();
    /// Another coordinator, once the paused one's lease has expired by the database's clock,
    /// adopts its open saga and recovers it.
    void take_over();

    // The nodes.
    void process(std::size_t request);
    bool down(std::size_t node) const;
    void foreign_write(std::size_t node);

    Scenario scenario_;
    bool tracing_;
    std::mt19937_64 random_;
    Oracle oracle_;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
    Time now_;
    std::uint64_t sequence_ = 0;

    cluster_client::RetryOptions retry_;
    cluster_client::retry::RetryPolicy policy_;
    // One client process: what dies with it.
    int epoch_ = 0;
    int events_ = 0;
    int crash_at_ = 0;
    int pause_at_ = 0;
    int acting_ = 0;  ///< the client whose event runs now: what it schedules is its own
    int paused_ = 0;  ///< the paused client (0: none); it runs again at resume_at_
    Time resume_at_{};
    std::map<int, std::unique_ptr<Lease>> leases_;  ///< by client
    /// Budgets of clients that are gone, kept while a paused client's machines point to them.
    std::vector<std::unique_ptr<cluster_client::retry::RetryBudget>> retired_budgets_;
    bool faults_ = true;
    std::unique_ptr<cluster_client::retry::RetryBudget> budget_;
    std::vector<cluster_client::retry::CircuitBreaker> breakers_;
    std::map<int, std::unique_ptr<Running>> running_;  ///< by Running::key
    int runs_ = 0;
    bool group_held_ = false;
    std::deque<std::function<void()>> waiting_;  ///< sagas waiting for the group

    std::map<int, LoggedSaga> log_;  ///< durable records only
    std::vector<Request> requests_;
    std::vector<bool> foreign_done_;
    std::vector<std::pair<Time, Time>> down_;  ///< per node: down in [first, second)
    int sagas_begun_ = 0;
    int takeovers_ = 0;
    int fenced_requests_ = 0;
    std::vector<std::string> trace_;
};

}  // namespace simulation
