// SPDX-License-Identifier: MIT
#include "world.hpp"

#include <algorithm>
#include <cstdio>

namespace simulation {

namespace saga = cluster_client::saga;
namespace node_api = cluster_client::node_api;
using cluster_client::HostReport;
using cluster_client::HostState;
using cluster_client::Ownership;
using cluster_client::SagaOutcome;
using cluster_client::saga::Phase;
using node_api::Call;
using node_api::Reply;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

constexpr Duration latency = 300us;  // one way, loopback-like
const auto lease_ttl = cluster_client::SagaLogOptions{}.lease_ttl;
const auto recovery_interval = cluster_client::SagaLogOptions{}.recovery_interval;

std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// A clear answer from a live node, as the client's runner counts it for its breakers and
// retry budget.
bool answered(Reply reply) {
    return reply != Reply::not_sent && reply != Reply::maybe_applied && reply != Reply::throttled;
}

bool leaves_open(SagaOutcome outcome) {
    return outcome == SagaOutcome::rollback_incomplete || outcome == SagaOutcome::incomplete;
}

// docs/node-api.md's faults, and a clean answer.
enum class Fault {
    none,
    error_before,  ///< 500, not applied
    error_after,   ///< applied, then 500
    hang_before,   ///< no answer, not applied
    hang_after,    ///< applied, then no answer
    reset_before,  ///< connection reset, not applied
    reset_after,   ///< applied, then reset
    throttle,      ///< 429 with Retry-After, not applied
    unavailable,   ///< 503 with Retry-After: ambiguous, applied or not
};

}  // namespace

// ---- Scenario

Scenario Scenario::draw(std::uint64_t seed) {
    std::mt19937_64 random(mix(seed));
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(random) < p; };
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
    Scenario s;
    s.seed = seed;
    s.nodes = 1 + pick(5);
    const double present_rate = std::array{0.0, 0.5, 1.0, 0.2}[pick(4)];
    for (std::size_t i = 0; i < s.nodes; ++i) {
        s.initially_present.push_back(chance(present_rate));
        s.missing_delete_status.push_back(std::array{404u, 404u, 200u, 400u}[pick(4)]);
    }
    const std::array operations{Operation::create, Operation::create, Operation::delete_, Operation::ensure};
    s.sagas.push_back(operations[pick(4)]);
    if (chance(0.15)) {
        s.sagas.push_back(operations[pick(4)]);
        s.second_after = std::chrono::microseconds(static_cast<std::int64_t>(pick(20000)));
    }
    s.ownership = chance(0.5) ? Ownership::strict : Ownership::fast;
    s.delete_mode = chance(0.7) ? cluster_client::DeleteMode::rollback : cluster_client::DeleteMode::forward;
    s.fault_rate = std::array{0.0, 0.05, 0.2, 0.4, 0.7}[pick(5)];
    s.foreign_rate = chance(0.25) ? std::array{0.05, 0.2, 0.5}[pick(3)] : 0.0;
    s.down_rate = chance(0.3) ? std::array{0.2, 0.5}[pick(2)] : 0.0;
    s.crash_at = chance(0.5) ? 1 + static_cast<int>(pick(40)) : 0;
    if (s.crash_at == 0 && chance(0.3)) {
        s.pause_at = 1 + static_cast<int>(pick(40));
        s.pause_for = lease_ttl + std::chrono::milliseconds(pick(12000));
    }
    s.recovery_rounds = static_cast<int>(pick(3));
    s.recovery_crash_rate = chance(0.5) ? 0.3 : 0.0;
    s.recovery_delete_mode = chance(0.5) ? cluster_client::DeleteMode::rollback : cluster_client::DeleteMode::forward;
    return s;
}

std::string Scenario::describe() const {
    std::string text = "scenario " + std::to_string(seed) + ": " + std::to_string(nodes) + " nodes, initially [";
    for (std::size_t i = 0; i < nodes; ++i) {
        text += std::string(i ? " " : "") + (initially_present[i] ? "present" : "absent") +
                "/DELETE-missing:" + std::to_string(missing_delete_status[i]);
    }
    text += "]; sagas:";
    for (const auto operation : sagas) text += " " + std::string(to_string(operation));
    char numbers[320];
    std::snprintf(numbers, sizeof numbers,
                  "; %s ownership, delete %s; faults %.2f, other writer %.2f, down %.2f; crash at event %d; "
                  "pause at event %d for %.1fs; %d recoveries under faults (crash rate %.1f), delete %s",
                  ownership == Ownership::strict ? "strict" : "fast",
                  delete_mode == cluster_client::DeleteMode::rollback ? "rollback" : "forward", fault_rate,
                  foreign_rate, down_rate, crash_at, pause_at, std::chrono::duration<double>(pause_for).count(),
                  recovery_rounds, recovery_crash_rate,
                  recovery_delete_mode == cluster_client::DeleteMode::rollback ? "rollback" : "forward");
    return text + numbers;
}

// ---- World

struct World::Running {
    int key = 0;  ///< this run of the machine (a saga may be recovered more than once)
    int saga = 0;
    int client = 0;  ///< the client (epoch) that runs it
    bool recovery = false;
    std::unique_ptr<saga::SagaMachine> machine;
    std::function<void(const cluster_client::SagaReport&)> then;
};

World::World(const Scenario& scenario, bool tracing)
    : scenario_(scenario),
      tracing_(tracing),
      random_(mix(scenario.seed ^ 0x5eed)),
      oracle_(scenario.initially_present),
      now_(Time{} + 1h),
      retry_{},
      policy_(retry_) {
    foreign_done_.assign(scenario.nodes, false);
    down_.assign(scenario.nodes, {now_, now_});
}

World::~World() = default;

void World::note(const std::string& text) {
    if (!tracing_) return;
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%10.3fms ",
                  std::chrono::duration<double, std::milli>(now_ - (Time{} + 1h)).count());
    trace_.push_back(stamp + text);
}

void World::at(Time when, std::function<void()> action) {
    queue_.push(Event{when, sequence_++, std::move(action)});
}

void World::client_at(Time when, std::function<void()> action) {
    at(when, [this, epoch = acting_, action = std::move(action)]() mutable { client_event(epoch, std::move(action)); });
}

void World::client_event(int epoch, std::function<void()> action) {
    if (epoch == paused_ && now_ < resume_at_) {
        // Stopped: its events wait until it wakes up.
        at(resume_at_, [this, epoch, action = std::move(action)]() mutable { client_event(epoch, std::move(action)); });
        return;
    }
    if (epoch != epoch_ && epoch != paused_) return;  // that client is gone
    if (epoch == epoch_) {
        ++events_;
        if (crash_at_ > 0 && events_ == crash_at_) {
            crash();
            return;
        }
        if (pause_at_ > 0 && events_ == pause_at_) {
            pause();
            client_event(epoch, std::move(action));
            return;
        }
    }
    const int before = acting_;
    acting_ = epoch;
    action();
    acting_ = before;
}

void World::drain() {
    while (!queue_.empty()) {
        auto event = queue_.top();
        queue_.pop();
        now_ = event.at;
        event.action();
    }
}

bool World::down(std::size_t node) const {
    return now_ >= down_[node].first && now_ < down_[node].second;
}

World::Lease& World::take_lease() {
    auto& lease = leases_[epoch_];
    lease = std::make_unique<Lease>();
    // A live client renews its lease every third of it: it never runs short.
    lease->fence.renewed(Time::max());
    return *lease;
}

void World::new_client() {
    ++epoch_;
    acting_ = epoch_;
    events_ = 0;
    pause_at_ = 0;
    running_.clear();
    group_held_ = false;
    waiting_.clear();
    take_lease();
    budget_ = std::make_unique<cluster_client::retry::RetryBudget>(retry_);
    breakers_.assign(scenario_.nodes, cluster_client::retry::CircuitBreaker(retry_));
    for (std::size_t i = 0; i < scenario_.nodes; ++i) {
        if (faults_ && std::uniform_real_distribution<double>(0, 1)(random_) < scenario_.down_rate) {
            const auto from = now_ + std::chrono::milliseconds(random_() % 3000);
            down_[i] = {from, from + std::chrono::milliseconds(random_() % 45000)};
            note("node " + std::to_string(i) + " will be down for a while");
        } else {
            down_[i] = {now_, now_};
        }
    }
}

void World::run() {
    // The first client: one saga, or two contending for the group.
    faults_ = true;
    new_client();
    crash_at_ = scenario_.crash_at;
    pause_at_ = scenario_.pause_at;
    for (std::size_t k = 0; k < scenario_.sagas.size(); ++k) {
        const int id = static_cast<int>(k);
        const auto operation = scenario_.sagas[k];
        client_at(now_ + (k == 0 ? Duration{} : scenario_.second_after), [this, id, operation] { ask(id, operation); });
    }
    drain();
    // Recoveries under faults, each of which may crash; then one on a healthy cluster.
    const int rounds = scenario_.recovery_rounds + 1;
    for (int round = 1; round <= rounds; ++round) {
        const bool last = round == rounds;
        faults_ = !last;
        now_ += 100ms;
        new_client();
        crash_at_ = !last && std::uniform_real_distribution<double>(0, 1)(random_) < scenario_.recovery_crash_rate
                        ? 1 + static_cast<int>(random_() % 30)
                        : 0;
        note(last ? "recover, on a healthy cluster" : "recover, under faults");
        for (const auto& [id, logged] : log_) {
            if (!logged.open) continue;
            client_at(now_, [this, id] {
                group_held_ = true;
                recover(id, [this](SagaOutcome) { release_group(); });
            });
            break;  // one group: its open saga (one at most, I5)
        }
        drain();
    }
    for (const auto& [id, logged] : log_) {
        if (logged.open) oracle_.left_open_at_rest(id, logged.outcome);
    }
}

void World::ask(int id, Operation operation) {
    note("saga " + std::to_string(id) + ": " + std::string(to_string(operation)) + " asked for");
    if (group_held_) {
        // Waits for the group, at most lock_wait.
        auto served = std::make_shared<bool>(false);
        waiting_.push_back([this, id, operation, served] {
            *served = true;
            admit(id, operation);
        });
        client_at(now_ + cluster_client::ClientOptions{}.lock_wait, [this, id, served] {
            if (*served) return;
            *served = true;
            note("saga " + std::to_string(id) + ": busy (waited for the group)");
        });
        return;
    }
    admit(id, operation);
}

void World::admit(int id, Operation operation) {
    group_held_ = true;
    auto admission = std::make_shared<saga::Admission>(now_, cluster_client::ClientOptions{}.lock_wait);
    admission_step(id, operation, admission, admission->start());
}

void World::admission_step(int id, Operation operation, std::shared_ptr<saga::Admission> admission,
                           saga::Admission::Action action) {
    using saga::Admission;
    if (std::holds_alternative<Admission::Begin>(action)) {
        // The log's begin: the intent and the group's lease in one durable write. A saga left
        // open on the group by this client's earlier self needs recovery.
        client_at(now_ + std::chrono::microseconds(random_() % 1000), [this, id, operation, admission] {
            auto& lease = *leases_.at(acting_);
            if (now_ >= lease.db_end) {
                note("saga " + std::to_string(id) + ": begin refused: the client's lease has expired");
                release_group();
                return;
            }
            cluster_client::saga::BeginResult begun{cluster_client::saga::BeginResult::Kind::started, id};
            for (const auto& [open_id, logged] : log_) {
                if (logged.open) begun = {cluster_client::saga::BeginResult::Kind::needs_recovery, open_id};
            }
            if (begun.kind == cluster_client::saga::BeginResult::Kind::started) {
                auto& logged = log_[id];
                logged.owner = acting_;
                logged.operation = operation;
                logged.facts.assign(scenario_.nodes, {});
                lease.fence.hold(id);
            }
            admission_step(id, operation, admission, admission->on_begun(begun, now_));
        });
    } else if (const auto* first = std::get_if<Admission::RecoverFirst>(&action)) {
        recover(static_cast<int>(first->saga), [this, id, operation, admission](SagaOutcome outcome) {
            admission_step(id, operation, admission, admission->on_recovered(true, outcome, now_));
        });
    } else if (const auto* pause = std::get_if<Admission::PauseUntil>(&action)) {
        client_at(pause->until, [this, id, operation, admission] {
            admission_step(id, operation, admission, admission->on_paused());
        });
    } else if (const auto* busy = std::get_if<Admission::Busy>(&action)) {
        note("saga " + std::to_string(id) + ": busy (" + busy->reason + ")");
        release_group();
    } else {
        begin(id, operation);
    }
}

void World::begin(int id, Operation operation) {
    ++sagas_begun_;
    const bool fast_create = operation == Operation::create && scenario_.ownership == Ownership::fast;
    oracle_.began(id, operation, fast_create);
    note("saga " + std::to_string(id) + ": begun");
    cluster_client::SagaReport report;
    report.group = "g";
    report.operation = operation;
    report.hosts.resize(scenario_.nodes);
    auto running = std::make_unique<Running>();
    running->saga = id;
    running->client = acting_;
    running->machine = std::make_unique<saga::SagaMachine>(
        std::move(report), saga::SagaSettings{scenario_.ownership, scenario_.delete_mode, true}, policy_,
        budget_.get());
    running->then = [this](const cluster_client::SagaReport&) { release_group(); };
    start(std::move(running));
}

void World::recover(int id, std::function<void(SagaOutcome)> then) {
    // Adopted: the saga is this client's now, and the fence lets it act on it.
    auto& logged = log_.at(id);
    logged.owner = acting_;
    leases_.at(acting_)->fence.hold(id);
    note("saga " + std::to_string(id) + ": recovering (" + logged.outcome + ")");
    cluster_client::SagaReport report;
    report.group = "g";
    report.operation = logged.operation;
    report.hosts.resize(scenario_.nodes);
    auto running = std::make_unique<Running>();
    running->saga = id;
    running->client = acting_;
    running->recovery = true;
    const auto last_outcome = cluster_client::parse_enum<SagaOutcome>(logged.outcome);
    running->machine = std::make_unique<saga::SagaMachine>(
        std::move(report), saga::SagaSettings{scenario_.ownership, scenario_.recovery_delete_mode, true}, policy_,
        budget_.get(), saga::LoggedSaga{logged.phase, logged.facts, last_outcome});
    // A delete that ended incomplete went forward: whatever the recovering client's mode, its
    // recovery never undoes it.
    const bool went_forward = logged.operation == Operation::delete_ && last_outcome == SagaOutcome::incomplete;
    running->then = [this, id, went_forward, then = std::move(then)](const cluster_client::SagaReport& ended) {
        if (went_forward &&
            (ended.outcome == SagaOutcome::rolled_back || ended.outcome == SagaOutcome::rollback_incomplete)) {
            oracle_.rule_broken(id, "a delete that went forward was rolled back by its recovery");
        }
        then(ended.outcome);
    };
    start(std::move(running));
}

void World::start(std::unique_ptr<Running> running) {
    auto& r = *running;
    r.key = ++runs_;
    running_[r.key] = std::move(running);
    carry_out(r, r.machine->resume(saga::SagaStarted{now_, now_ + retry_.saga_deadline}));
}

void World::carry_out(Running& running, std::vector<saga::SagaAction> actions) {
    for (auto& action : actions) {
        if (const auto* request = std::get_if<saga::SendRequest>(&action)) {
            send(running, *request);
        } else if (const auto* wait = std::get_if<saga::WaitUntil>(&action)) {
            client_at(wait->until, [this, &running, host = wait->host] {
                carry_out(running, running.machine->resume(saga::TimerFired{host, now_}));
            });
        } else if (auto* record = std::get_if<saga::AppendRecord>(&action)) {
            append(running, std::move(*record));
        } else {
            done(running);
            return;
        }
    }
}

void World::send(Running& running, const saga::SendRequest& request) {
    auto reply_now = [&](node_api::NodeReply reply) {
        client_at(now_, [this, &running, host = request.host, reply = std::move(reply)] {
            carry_out(running, running.machine->resume(saga::NodeReplied{host, reply, now_, 0.5, false}));
        });
    };
    const auto timeout = policy_.attempt_timeout(request.deadline, now_);
    if (timeout.count() == 0) {
        reply_now({Reply::not_sent, "no time left before the deadline", std::nullopt});
        return;
    }
    // As the coordinator does: a request its lease could not cover is not sent.
    const auto& lease = *leases_.at(running.client);
    if (!lease.fence.may_send(running.saga, now_ + timeout)) {
        ++fenced_requests_;
        reply_now({Reply::not_sent, "this coordinator's lease on the saga log ends too soon", std::nullopt});
        return;
    }
    if (request.gated && !breakers_[request.host].allow(now_)) {
        reply_now({Reply::refused, "circuit open", std::nullopt});
        return;
    }
    if (now_ + timeout > lease.db_end) {
        oracle_.rule_broken(running.saga, "a request went out that could outlive its coordinator's lease (node " +
                                              std::to_string(request.host) + ")");
    }
    oracle_.sent(running.saga);
    check_licensed(running.saga, request);
    const auto index = requests_.size();
    requests_.push_back(Request{running.saga, request.host, request.call});
    note("saga " + std::to_string(running.saga) + " -> node " + std::to_string(request.host) + ": " +
         std::string(node_api::call_name(request.call)));

    // What the network and the node do, decided now (the seed decides it all).
    auto fault = Fault::none;
    const bool is_down = down(request.host);
    if (faults_ && std::uniform_real_distribution<double>(0, 1)(random_) < scenario_.fault_rate) {
        fault = static_cast<Fault>(1 + random_() % 8);
    }
    const double uniform = std::uniform_real_distribution<double>(0, 1)(random_);
    if (is_down) {
        requests_[index].processed = true;  // refused: it never reaches the node
        client_at(now_ + latency, [this, &running, host = request.host, uniform, index] {
            requests_[index].answered = true;
            const node_api::NodeReply reply{Reply::not_sent, "connect: Connection refused", std::nullopt};
            breakers_[host].on_failure(now_);
            carry_out(running, running.machine->resume(saga::NodeReplied{host, reply, now_, uniform, true}));
        });
        return;
    }
    const bool hang = fault == Fault::hang_before || fault == Fault::hang_after;
    const bool applies = fault == Fault::none || fault == Fault::error_after || fault == Fault::hang_after ||
                         fault == Fault::reset_after || (fault == Fault::unavailable && random_() % 2 == 0);
    // The node: at arrival, it applies the request (or not).
    auto status = std::make_shared<unsigned>(0);
    at(now_ + latency, [this, index, applies, fault, status] {
        auto& r = requests_[index];
        if (r.processed) return;  // the crash settled it
        r.processed = true;
        if (fault == Fault::throttle) {
            *status = 429;
            return;
        }
        const bool present = oracle_.present(r.node);
        bool changed = false;
        switch (r.call) {
            case Call::get: *status = present ? 200 : 404; break;
            case Call::create:
                *status = present ? 400 : 201;
                changed = !present;
                break;
            case Call::delete_:
                *status = present ? 200 : scenario_.missing_delete_status[r.node];
                changed = present;
                break;
        }
        if (applies && changed) {
            oracle_.applied(r.saga, r.node, r.call == Call::create);
            note("node " + std::to_string(r.node) + ": saga " + std::to_string(r.saga) + "'s " +
                 std::string(node_api::call_name(r.call)) + " applied");
        }
        // A write whose answer will not tell what it did.
        const bool lost_answer = fault != Fault::none && fault != Fault::throttle;
        const bool says_nothing = r.call == Call::delete_ && *status == 200 && !changed;
        if (r.call != Call::get && (lost_answer || says_nothing)) oracle_.unseen_write(r.saga, r.node);
        // The other writer strikes between this request and the saga's next one.
        if (faults_ && !foreign_done_[r.node] &&
            std::uniform_real_distribution<double>(0, 1)(random_) < scenario_.foreign_rate) {
            foreign_done_[r.node] = true;
            at(now_ + std::chrono::microseconds(random_() % 900), [this, node = r.node] { foreign_write(node); });
        }
    });
    // The answer.
    const auto answer_at = hang ? now_ + timeout : now_ + 2 * latency;
    client_at(answer_at, [this, &running, index, fault, status, uniform] {
        auto& r = requests_[index];
        r.answered = true;
        node_api::NodeReply reply;
        switch (fault) {
            case Fault::none:
                reply = {node_api::classify_status(r.call, *status), "HTTP " + std::to_string(*status), std::nullopt};
                break;
            case Fault::error_before:
            case Fault::error_after: reply = {Reply::maybe_applied, "HTTP 500", std::nullopt}; break;
            case Fault::hang_before:
            case Fault::hang_after: reply = {Reply::maybe_applied, "read: timed out", std::nullopt}; break;
            case Fault::reset_before:
            case Fault::reset_after: reply = {Reply::maybe_applied, "read: connection reset", std::nullopt}; break;
            case Fault::throttle: reply = {Reply::throttled, "HTTP 429", milliseconds(random_() % 1500)}; break;
            case Fault::unavailable: reply = {Reply::maybe_applied, "HTTP 503", milliseconds(random_() % 1500)}; break;
        }
        if (answered(reply.reply)) {
            breakers_[r.node].on_answer();
            budget_->on_answer();
        } else {
            breakers_[r.node].on_failure(now_);
        }
        note("saga " + std::to_string(r.saga) + " <- node " + std::to_string(r.node) + ": " +
             std::string(node_api::call_name(r.call)) + " " + reply.detail);
        carry_out(running, running.machine->resume(saga::NodeReplied{r.node, reply, now_, uniform, true}));
    });
}

void World::check_licensed(int id, const saga::SendRequest& request) {
    // Every write goes out only once the log holds what recovery needs to undo it: a forward
    // write, the node's licensing fact; an undo, the compensating phase.
    if (request.call == Call::get) return;
    const auto& logged = log_.at(id);
    const bool creating = logged.operation != Operation::delete_;
    const bool forward = creating == (request.call == Call::create);
    if (logged.operation == Operation::ensure) return;  // never undone, so nothing to license
    if (forward) {
        if (saga::claim_of(logged.operation, logged.facts.at(request.host)) == saga::Claim::none) {
            oracle_.rule_broken(id, "node " + std::to_string(request.host) + ": a " +
                                        std::string(node_api::call_name(request.call)) +
                                        " went out before the fact that licenses it was durable");
        }
    } else if (logged.phase != Phase::compensating) {
        oracle_.rule_broken(id, "node " + std::to_string(request.host) +
                                    ": an undo went out before the "
                                    "compensating phase was durable");
    }
}

void World::append(Running& running, saga::AppendRecord record) {
    client_at(now_ + std::chrono::microseconds(random_() % 1500), [this, &running, record = std::move(record)] {
        auto& logged = log_.at(running.saga);
        // Fenced: a write of a client whose lease has expired, or whose saga another has
        // adopted, is refused by the database.
        if (now_ >= leases_.at(running.client)->db_end || logged.owner != running.client) {
            note("saga " + std::to_string(running.saga) + ": write refused: the client's lease has expired");
            carry_out(running, running.machine->resume(saga::RecordAppended{
                                   record.host, now_, "this coordinator's lease on the saga log has expired"}));
            return;
        }
        std::visit(
            [&](const auto& what) {
                using T = std::decay_t<decltype(what)>;
                if constexpr (std::is_same_v<T, saga::Fact>) {
                    logged.facts.at(record.host).push_back(what);
                    note("saga " + std::to_string(running.saga) + ": durable: node " + std::to_string(record.host) +
                         " " + std::string(cluster_client::saga::to_string(what)));
                } else if constexpr (std::is_same_v<T, Phase>) {
                    logged.phase = what;
                    note("saga " + std::to_string(running.saga) + ": durable: compensating");
                } else {
                    logged.open = leaves_open(what.outcome);
                    logged.outcome = std::string(to_string(what.outcome));
                    note("saga " + std::to_string(running.saga) + ": durable: end " + logged.outcome);
                }
            },
            record.record);
        carry_out(running, running.machine->resume(saga::RecordAppended{record.host, now_, {}}));
    });
}

void World::done(Running& running) {
    const auto report = running.machine->report();
    const int id = running.saga;
    const int key = running.key;
    std::string states;
    for (const auto& host : report.hosts) states += " " + std::string(to_string(host.state));
    if (running.machine->log_error()) {
        // The coordinator reports nothing: the saga stays open for another.
        note("saga " + std::to_string(id) + ": stopped: " + *running.machine->log_error());
    } else {
        note("saga " + std::to_string(id) + ": " + std::string(to_string(report.outcome)) + " [" + states + " ]");
        oracle_.reported(id, report);
        if (!report.left_open()) oracle_.closed(id, report);
    }
    auto then = std::move(running.then);
    // The machine is done: nothing of it is outstanding, so it can go.
    client_at(now_, [this, key] { running_.erase(key); });
    then(report);
}

void World::release_group() {
    group_held_ = false;
    if (waiting_.empty()) return;
    auto next = std::move(waiting_.front());
    waiting_.pop_front();
    next();
}

void World::crash() {
    note("client killed");
    for (const auto& [key, running] : running_) oracle_.crashed(running->saga);
    for (const auto& [id, logged] : log_) {
        if (logged.open) oracle_.crashed(id);
    }
    // What was on the wire lands or not, and its answer is lost.
    for (auto& r : requests_) {
        if (r.answered) continue;
        r.answered = true;
        if (!r.processed) {
            r.processed = true;
            const bool present = oracle_.present(r.node);
            const bool can_change = (r.call == Call::create && !present) || (r.call == Call::delete_ && present);
            if (can_change && random_() % 2 == 0) {
                oracle_.applied(r.saga, r.node, r.call == Call::create);
                note("node " + std::to_string(r.node) + ": saga " + std::to_string(r.saga) + "'s " +
                     std::string(node_api::call_name(r.call)) + " applied as the client died");
            }
        }
        if (r.call != Call::get) oracle_.unseen_write(r.saga, r.node);
    }
    ++epoch_;  // every client event still queued is dropped
    running_.clear();
}

void World::pause() {
    paused_ = epoch_;
    resume_at_ = now_ + scenario_.pause_for;
    // Its last renewal went out within the last third of the lease; the database took it a
    // moment later, and counts the lease from then.
    auto& lease = *leases_.at(paused_);
    const auto third = std::chrono::duration_cast<Duration>(lease_ttl) / 3;
    const Time renewed =
        now_ - Duration(static_cast<Duration::rep>(random_() % static_cast<std::uint64_t>(third.count())));
    lease.fence.renewed(renewed + lease_ttl);
    lease.db_end = renewed + std::chrono::microseconds(random_() % 1000) + lease_ttl;
    note("client stopped for " + std::to_string(std::chrono::duration<double>(scenario_.pause_for).count()) +
         "s; its lease ends in " + std::to_string(std::chrono::duration<double>(lease.db_end - now_).count()) +
         "s by the database's clock");
    // What the log will not learn from it, as after a crash: its sagas' outcomes, and the
    // answers to its requests on the wire.
    for (const auto& [key, running] : running_) {
        if (running->client == paused_) oracle_.crashed(running->saga);
    }
    for (const auto& [id, logged] : log_) {
        if (logged.open && logged.owner == paused_) oracle_.crashed(id);
    }
    for (auto& r : requests_) {
        if (!r.answered && r.call != Call::get) oracle_.unseen_write(r.saga, r.node);
    }
    const auto wait = std::chrono::duration_cast<Duration>(recovery_interval);
    at(lease.db_end + Duration(static_cast<Duration::rep>(random_() % static_cast<std::uint64_t>(wait.count()))),
       [this] { take_over(); });
}

void World::take_over() {
    // Another coordinator: its own client state and lease; the log and the nodes are shared.
    // The paused client's machines keep pointing to its budget.
    retired_budgets_.push_back(std::move(budget_));
    budget_ = std::make_unique<cluster_client::retry::RetryBudget>(retry_);
    breakers_.assign(scenario_.nodes, cluster_client::retry::CircuitBreaker(retry_));
    ++epoch_;
    events_ = 0;
    crash_at_ = 0;
    pause_at_ = 0;
    group_held_ = false;
    waiting_.clear();
    take_lease();
    note("another coordinator takes over the sagas of expired leases");
    const int before = acting_;
    acting_ = epoch_;
    for (const auto& [id, logged] : log_) {
        if (!logged.open || leases_.at(logged.owner)->db_end > now_) continue;
        group_held_ = true;
        ++takeovers_;
        recover(id, [this](SagaOutcome) { release_group(); });
        break;  // one group: its open saga (one at most, I5)
    }
    acting_ = before;
}

void World::foreign_write(std::size_t node) {
    oracle_.foreign_write(node);
    note("node " + std::to_string(node) + ": the other writer makes the group " +
         (oracle_.present(node) ? "present" : "absent"));
}

}  // namespace simulation
