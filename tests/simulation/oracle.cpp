// SPDX-License-Identifier: MIT
#include "oracle.hpp"

#include <algorithm>

namespace simulation {

using cluster_client::HostState;
using cluster_client::SagaOutcome;

namespace {

// What a host's reported state says about the node: 1 present, 0 absent, -1 nothing.
int claimed_presence(HostState state) {
    switch (state) {
        case HostState::created:
        case HostState::already_present:
        case HostState::restored:
        case HostState::present: return 1;
        case HostState::deleted:
        case HostState::already_absent:
        case HostState::rolled_back:
        case HostState::absent: return 0;
        default: return -1;
    }
}

std::string writer_name(int writer) {
    if (writer == initial_writer) return "nobody (as the run began)";
    if (writer == foreign_writer) return "another writer";
    return "saga " + std::to_string(writer);
}

std::string where(int saga, std::size_t node) {
    return "saga " + std::to_string(saga) + ", node " + std::to_string(node) + ": ";
}

}  // namespace

Oracle::Oracle(std::vector<bool> initially_present) {
    for (const bool present : initially_present) nodes_.push_back({present, initial_writer});
}

Oracle::Saga& Oracle::saga(int id) {
    if (static_cast<std::size_t>(id) >= sagas_.size()) sagas_.resize(static_cast<std::size_t>(id) + 1);
    return sagas_[static_cast<std::size_t>(id)];
}

void Oracle::began(int id, Operation operation, bool fast_create) {
    auto& s = saga(id);
    s.operation = operation;
    s.fast_create = fast_create;
    s.before.clear();
    for (const auto& node : nodes_) s.before.push_back(node.present);
    s.foreign_during.assign(nodes_.size(), false);
    s.unseen_write.assign(nodes_.size(), false);
    s.initial_copy = s.before;
    open_.push_back(id);
}

bool Oracle::excused(const Saga& s, std::size_t node) const {
    // Another writer's change met a write of ours whose outcome we could not see.
    if (s.unseen_write[node] && s.foreign_during[node]) return true;
    // The client died with the node's fate unrecorded, and another writer touched it.
    if (s.crashed && s.foreign_during[node]) return true;
    // Fast ownership's documented guess: a copy there before the saga, which a crash or an
    // unseen POST of ours leaves indistinguishable from our own.
    return s.fast_create && s.initial_copy[node] && (s.unseen_write[node] || s.crashed);
}

void Oracle::applied(int id, std::size_t node, bool now_present) {
    auto& s = saga(id);
    auto& truth = nodes_.at(node);
    if (!excused(s, node)) {
        const bool creating_saga = s.operation != Operation::delete_;
        if (creating_saga && !now_present && truth.writer != id) {
            violation(where(id, node) + "I3: a create deleted a copy written by " + writer_name(truth.writer));
        }
        if (!creating_saga && now_present && truth.writer != id) {
            violation(where(id, node) +
                      "I3: a delete's rollback created the group where this saga had not "
                      "deleted it (last written by " +
                      writer_name(truth.writer) + ")");
        }
    }
    truth.present = now_present;
    truth.writer = id;
}

void Oracle::unseen_write(int id, std::size_t node) {
    saga(id).unseen_write.at(node) = true;
}

void Oracle::foreign_write(std::size_t node) {
    auto& truth = nodes_.at(node);
    truth.present = !truth.present;
    truth.writer = foreign_writer;
    for (const int id : open_) saga(id).foreign_during.at(node) = true;
}

void Oracle::crashed(int id) {
    saga(id).crashed = true;
}

void Oracle::sent(int id) {
    if (id == last_sender_) return;
    if (std::find(finished_senders_.begin(), finished_senders_.end(), id) != finished_senders_.end()) {
        violation("saga " + std::to_string(id) + ": I5: it sent a request after saga " + std::to_string(last_sender_) +
                  " had sent on the same group");
    }
    if (last_sender_ >= 0) finished_senders_.push_back(last_sender_);
    last_sender_ = id;
}

void Oracle::reported(int id, const SagaReport& report) {
    const auto& s = saga(id);
    if (report.outcome == SagaOutcome::busy) return;
    for (std::size_t i = 0; i < report.hosts.size() && i < nodes_.size(); ++i) {
        if (s.foreign_during[i] || excused(s, i)) continue;
        const int claimed = claimed_presence(report.hosts[i].state);
        if (claimed >= 0 && (claimed == 1) != nodes_[i].present) {
            violation(where(id, i) + "I2: reported " + std::string(to_string(report.hosts[i].state)) +
                      " but the group is " + (nodes_[i].present ? "there" : "not there"));
        }
    }
}

void Oracle::closed(int id, const SagaReport& report) {
    const auto& s = saga(id);
    std::erase(open_, id);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (s.foreign_during[i] || excused(s, i)) continue;
        bool expected = false;
        switch (report.outcome) {
            case SagaOutcome::created:
            case SagaOutcome::already_exists: expected = true; break;
            case SagaOutcome::deleted:
            case SagaOutcome::not_found: expected = false; break;
            case SagaOutcome::rolled_back:
            case SagaOutcome::conflict: expected = s.before[i]; break;
            default: violation(where(id, i) + "closed with outcome " + std::string(to_string(report.outcome))); return;
        }
        if (nodes_[i].present != expected) {
            violation(where(id, i) + "I1: closed " + std::string(to_string(report.outcome)) + " but the group is " +
                      (nodes_[i].present ? "there" : "not there") + " (last written by " +
                      writer_name(nodes_[i].writer) + ")");
        }
    }
}

void Oracle::left_open_at_rest(int id, const std::string& outcome) {
    violation("saga " + std::to_string(id) + ": I4: still open (" + outcome + ") after recovery on a healthy cluster");
}

void Oracle::rule_broken(int id, const std::string& rule) {
    violation("saga " + std::to_string(id) + ": " + rule);
}

}  // namespace simulation
