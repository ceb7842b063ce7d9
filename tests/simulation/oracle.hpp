// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <cluster_client/report.hpp>

namespace simulation {

using cluster_client::Operation;
using cluster_client::SagaReport;

/// Who last wrote a node's copy of the group.
inline constexpr int initial_writer = -1;  ///< nobody during the run: the state it began in
inline constexpr int foreign_writer = -2;  ///< another writer that shares no log with us

/// The true state of every node and what each saga did to it, kept apart from anything the
/// client knows; it checks the invariants of docs/design.md, "Invariants", on that truth.
///
/// Some outcomes no client can tell apart, and the oracle excuses exactly those, node by
/// node (see excused()): another writer's change on a node where a write of ours got an
/// answer that does not tell what it did (ambiguous, lost in a crash, a 200 to a DELETE of
/// a missing group), or where the client died; and, in fast ownership, a copy that was
/// there before a saga that crashed or posted without a clear answer there.
class Oracle {
public:
    explicit Oracle(std::vector<bool> initially_present);

    /// Saga `saga` is admitted to the group (it holds it): its "before" is the state now.
    void began(int saga, Operation operation, bool fast_create);
    /// A request of `saga` reached node `node` and changed it (`now_present`).
    void applied(int saga, std::size_t node, bool now_present);
    /// A write of `saga` to node `node` whose answer does not tell what it did: ambiguous, lost
    /// in a crash, or a 200 to a DELETE of a missing group.
    void unseen_write(int saga, std::size_t node);
    /// Another writer flips node `node`.
    void foreign_write(std::size_t node);
    /// The client died while `saga` was open.
    void crashed(int saga);
    /// `saga` sent a request (I5: no two sagas on the group interleave).
    void sent(int saga);
    /// `saga` returned `report` to its caller: it must match the nodes (I2).
    void reported(int saga, const SagaReport& report);
    /// `saga` was closed in the log with `report`: all or none (I1).
    void closed(int saga, const SagaReport& report);
    /// A saga still open once recovery ran on a healthy cluster (I4).
    void left_open_at_rest(int saga, const std::string& outcome);
    /// A rule of the saga machine (docs/sagas.md) that the run broke.
    void rule_broken(int saga, const std::string& rule);

    bool present(std::size_t node) const { return nodes_.at(node).present; }
    std::size_t size() const { return nodes_.size(); }
    const std::vector<std::string>& violations() const { return violations_; }

private:
    struct Node {
        bool present = false;
        int writer = initial_writer;
    };
    struct Saga {
        Operation operation = Operation::create;
        bool fast_create = false;
        bool crashed = false;
        std::vector<bool> before;          ///< presence when the saga was admitted
        std::vector<bool> foreign_during;  ///< another writer touched the node meanwhile
        std::vector<bool> unseen_write;    ///< a write of ours there whose effect we could not see
        std::vector<bool> initial_copy;    ///< the node held a copy from before the run
    };
    Saga& saga(int id);
    bool excused(const Saga& saga, std::size_t node) const;
    void violation(std::string text) { violations_.push_back(std::move(text)); }

    std::vector<Node> nodes_;
    std::vector<Saga> sagas_;
    std::vector<int> open_;  ///< sagas begun and not closed
    int last_sender_ = -1;
    std::vector<int> finished_senders_;
    std::vector<std::string> violations_;
};

}  // namespace simulation
