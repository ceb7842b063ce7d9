// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scripted_server.hpp"

namespace cluster_client::testing {

/// One node of the API (docs/node-api.md), its groups kept in memory and served on loopback, whose
/// handling of any request a test can take over: to play another writer between two
/// requests of a saga, to fail reads, to apply a write and answer 500, or to never answer.
/// For the exact sequences that seeded faults only hit by chance.
class HookedNode {
public:
    enum class Method { get, post, delete_ };
    struct Request {
        Method method;
        std::string group;
        /// The Authorization header's value as sent ("" when the request had none).
        std::string authorization{};
    };
    /// What the node does instead of its plain answer.
    struct Override {
        int status = 500;    ///< the status it answers
        bool apply = false;  ///< apply the request first ("applied, then failed")
        bool hang = false;   ///< never answer (until the node is destroyed)
    };
    /// Called for every request before it is handled; it may change the node's groups
    /// (another writer) and may return an Override.
    using Hook = std::function<std::optional<Override>(const Request&, HookedNode&)>;

    HookedNode();
    ~HookedNode();
    HookedNode(const HookedNode&) = delete;
    HookedNode& operator=(const HookedNode&) = delete;

    /// `http://127.0.0.1:<port>`
    std::string url() const;
    void set_hook(Hook hook);
    bool has(const std::string& group) const;
    void put(const std::string& group);
    void erase(const std::string& group);
    /// Every request received, in order.
    std::vector<Request> requests() const;
    /// How many requests of `method` on `group` it received.
    int count(Method method, const std::string& group) const;

private:
    std::string answer(int index);

    mutable std::mutex mutex_;
    std::condition_variable released_;
    bool stopping_ = false;
    std::set<std::string> groups_;
    std::vector<Request> requests_;
    Hook hook_;
    ScriptedServer* serving_ = nullptr;       // server_, as the server's threads read it
    std::unique_ptr<ScriptedServer> server_;  // last: it calls answer() until it is gone
};

}  // namespace cluster_client::testing
