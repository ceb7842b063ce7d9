// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cluster_client::testing {

/// Why iptables rules must not be touched from this process (it shares the machine's
/// network namespace, or the namespace script did not start it); nullopt when they may.
/// The rules this suite adds would otherwise drop the machine's own traffic.
std::optional<std::string> private_namespace_problem();

/// Packet loss and cuts on loopback ports, as iptables rules in two chains of its own: one
/// hooked into INPUT for the requests that reach a node's port, one into OUTPUT for the
/// answers that leave it. On loopback every packet crosses both hooks, so a rule matching
/// a destination port in INPUT sees each request exactly once, and a rule matching a
/// source port in OUTPUT each answer exactly once.
///
/// The constructor creates and hooks the chains; the destructor unhooks and deletes them,
/// with every rule in them, so no test leaks a fault into the next one.
/// Errors: a failing iptables command throws std::runtime_error naming the command.
/// Threads: every member may be called from any thread (a cut is healed from a timer
/// thread while sagas run).
class PacketFilter {
public:
    PacketFilter();
    ~PacketFilter();
    PacketFilter(const PacketFilter&) = delete;
    PacketFilter& operator=(const PacketFilter&) = delete;

    /// Drops each packet to and from `port` with `probability`: requests and answers alike.
    void lose(std::uint16_t port, double probability);
    /// Drops every packet to and from `port`: the node is cut off.
    void cut(std::uint16_t port);
    /// Removes the cut of `port`.
    void heal(std::uint16_t port);
    /// Drops every request packet to `port` that carries `text` (e.g. a method name): the
    /// node loses that kind of request and nothing else.
    void lose_requests_with(std::uint16_t port, const std::string& text);
    /// Removes every rule: every path is healed.
    void heal_all();
    /// Packets dropped since construction, requests and answers, healed rules included.
    std::uint64_t dropped();

private:
    // The members below expect mutex_ held, but for the constructor and destructor, which
    // nothing else can run beside.
    void remove_chains() noexcept;
    /// Packets dropped by the rules in place.
    std::uint64_t counted();
    /// Runs iptables and returns what it printed.
    std::string run(const std::vector<std::string>& arguments);
    void run_quietly(const std::vector<std::string>& arguments) noexcept;

    std::mutex mutex_;
    std::uint64_t dropped_by_removed_rules_ = 0;
};

/// True when some TCP connection to or from `ports` still holds request bytes on their way
/// to a node: in the send queue of a client socket (a socket the client closed after a
/// timeout keeps retransmitting what it held) or in the receive queue of a node's socket.
bool requests_in_flight(const std::vector<std::uint16_t>& ports);

/// Waits until no TCP connection to or from `ports` still holds bytes the kernel has not
/// delivered: requests in the send queue of a client socket (a socket the client closed
/// after a timeout keeps retransmitting what it held) or in the receive queue of a node's
/// socket. True when that happened within `limit`.
bool wait_until_delivered(const std::vector<std::uint16_t>& ports, std::chrono::milliseconds limit);

}  // namespace cluster_client::testing
