// SPDX-License-Identifier: MIT
// Nodes that break HTTP on purpose: garbage, an answer trickled a byte a second, header
// lines without end, multi-gigabyte and endless bodies, silence, status codes nobody
// defined. Whatever such a node does, every call to it ends by its timeout or deadline and
// the client takes in no more than its limits (docs/design.md, I6); a saga over two good nodes and
// a hostile one fails cleanly and undoes its work on the good nodes, as their real state
// shows (I1). Cases the HostPool tests already cover (a 10 MB body, a short garbage answer,
// a node that reads and never answers) appear here at the saga level only.
#include <atomic>
#include <cstdint>
#include <future>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <cluster_client/cluster_client.hpp>

#include "hostile_server.hpp"
#include "http/host_pool.hpp"
#include "local_cluster.hpp"
#include "node_api/node_client.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::HostileConnection;
using testing::HostileServer;
using testing::LocalCluster;

// What a client that keeps its limits (8 KiB of header, 64 KiB of body, read 4 KiB at a
// time) can let a node write before it hangs up: those limits plus what the socket buffers
// of loopback hold meanwhile (a few hundred KB are seen), with a wide margin. The hostile
// nodes offer gigabytes.
constexpr std::uint64_t bounded_bytes = 4ull << 20;
// The process's peak resident memory may grow by this much during a test (threads, pools,
// logs), never by what a hostile node sends.
constexpr std::uint64_t bounded_memory_growth = 50ull << 20;
// How late a call may end after its timeout or deadline on a loaded machine, stretched on a
// slow build (a sanitizer's). The hostile nodes end no call on their own (the slowest
// trickle takes tens of seconds), so the bound still tells a call the client ended from one
// it let run.
const std::chrono::milliseconds slack = testing::scaled(1000ms);
// How long the client may take to close its connections once its calls have ended.
const std::chrono::milliseconds close_wait = testing::scaled(2000ms);

constexpr auto attempt_timeout = 300ms;
constexpr auto deadline = 1500ms;

// ---- hostile behaviours: none ends on its own; each stops when the client hangs up (or
// the test ends)

const std::string ok_head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
const std::string chunked_head = ok_head + "Transfer-Encoding: chunked\r\n\r\n";

// Random bytes, endlessly: nothing like a status line. Seeded: every run sends the same.
void garbage(HostileConnection& node) {
    if (!node.read_request()) return;
    std::mt19937 generator(20240601);
    std::string bytes(4096, '\0');
    for (;;) {
        for (auto& byte : bytes) byte = static_cast<char>(generator() & 0xff);
        if (!node.send(bytes)) return;
    }
}

// A valid answer, one byte a second: it would take over a minute to arrive.
void trickle(HostileConnection& node) {
    if (!node.read_request()) return;
    const std::string answer = ok_head + "Content-Length: 15\r\n\r\n{\"groupId\":\"g\"}";
    for (const char byte : answer) {
        if (!node.send(std::string_view(&byte, 1)) || !node.pause(1s)) return;
    }
    node.hold();
}

// A status line, then header lines forever, `gap` apart (zero: as fast as the client reads).
HostileServer::Behaviour endless_header_lines(std::chrono::milliseconds gap) {
    return [gap](HostileConnection& node) {
        if (!node.read_request() || !node.send("HTTP/1.1 200 OK\r\n")) return;
        for (std::uint64_t line = 0;; ++line) {
            if (!node.send("X-Filler-" + std::to_string(line) + ": " + std::string(48, 'f') + "\r\n")) return;
            if (gap > 0ms && !node.pause(gap)) return;
        }
    };
}

// `head`, then `piece` again and again, as fast as the client takes it.
HostileServer::Behaviour endless(std::string head, std::string piece) {
    return [head = std::move(head), piece = std::move(piece)](HostileConnection& node) {
        if (!node.read_request() || !node.send(head)) return;
        while (node.send(piece)) {
        }
    };
}

// Content-Length: 5000000000 (past 32 bits), and the body streamed for real.
HostileServer::Behaviour five_gigabyte_body() {
    return endless(ok_head + "Content-Length: 5000000000\r\n\r\n", std::string(64 * 1024, 'x'));
}

// Chunked, 4 KiB chunks, never the last chunk.
HostileServer::Behaviour endless_chunks() {
    return endless(chunked_head, "1000\r\n" + std::string(4096, 'x') + "\r\n");
}

// One chunk announced as 5000000000 bytes (0x12A05F200), then streamed.
HostileServer::Behaviour five_gigabyte_chunk() {
    return endless(chunked_head + "12A05F200\r\n", std::string(64 * 1024, 'x'));
}

// A chunk-size line whose extension never ends: the body has not started yet, so no body
// limit counts these bytes; only a bound on the line can.
HostileServer::Behaviour endless_chunk_extension() {
    return endless(chunked_head + "1;x=", std::string(4096, 'e'));
}

// The last chunk, then trailer fields forever: header-like lines after the body.
HostileServer::Behaviour endless_trailer() {
    return endless(chunked_head + "0\r\n", "X-Trailer: " + std::string(48, 't') + "\r\n");
}

// Reads the request and never answers.
void silent(HostileConnection& node) {
    if (node.read_request()) node.hold();
}

// Never reads the request (it waits in the kernel's buffers) and never answers.
void deaf(HostileConnection& node) {
    node.hold();
}

std::string status_only(unsigned status) {
    return "HTTP/1.1 " + std::to_string(status) + " Odd\r\nContent-Length: 0\r\n\r\n";
}

// Answers every request with `status`, and keeps the connection for the next one.
HostileServer::Behaviour answer_all(unsigned status) {
    return [status](HostileConnection& node) {
        while (node.read_request() && node.send(status_only(status))) {
        }
    };
}

// ---- bounded memory

// The growth of this process's peak resident memory since construction. The kernel's
// high-water mark is reset first when it allows it (clear_refs), so a buffer the client
// filled and freed still counts; otherwise the current size is compared.
class MemoryWatch {
public:
    MemoryWatch() : peak_reset_(testing::reset_peak_resident()), before_(testing::resident_bytes()) {}
    std::uint64_t growth() const {
        const auto now = peak_reset_ ? testing::peak_resident_bytes() : testing::resident_bytes();
        return now > before_ ? now - before_ : 0;
    }

private:
    bool peak_reset_;
    std::uint64_t before_;
};

// The client hung up on every connection, having let the node write no more than its limits
// allow, and the process did not grow with what the node offered.
void expect_bounded(const HostileServer& node, const MemoryWatch& memory) {
    EXPECT_TRUE(node.wait_until_client_closed_all(close_wait))
        << node.closed_by_client() << " of " << node.connections() << " connections closed by the client";
    EXPECT_GT(node.connections(), 0);
    EXPECT_LE(node.max_bytes_on_a_connection(), bounded_bytes);
    EXPECT_LT(memory.growth(), bounded_memory_growth);
    ::testing::Test::RecordProperty("bytes_written_on_a_connection", std::to_string(node.max_bytes_on_a_connection()));
    ::testing::Test::RecordProperty("peak_memory_growth", std::to_string(memory.growth()));
}

// ---- one call through the HTTP layer

struct TimedOutcome {
    http::Outcome outcome;
    Clock::duration elapsed;
};

TimedOutcome send_to(const HostileServer& node, http::Request request,
                     std::chrono::milliseconds timeout = attempt_timeout) {
    boost::asio::io_context io;
    http::HostPool pool(io.get_executor(), http::parse_endpoint(node.url()), HttpOptions{}, nullptr);
    const auto started = Clock::now();
    auto future = boost::asio::co_spawn(io, pool.send(std::move(request), timeout), boost::asio::use_future);
    io.run();
    return {future.get(), Clock::now() - started};
}

http::Request get_request() {
    return {http::Method::get, "/v1/group/g/", {}};
}
http::Request post_request() {
    return {http::Method::post, "/v1/group/", R"({"groupId":"g"})"};
}

std::string message_of(const http::Outcome& outcome) {
    const auto* failure = std::get_if<http::Failure>(&outcome);
    if (failure != nullptr) return failure->message;
    return "a response came: HTTP " + std::to_string(std::get<http::Response>(outcome).status);
}

// The call failed as maybe applied (the request was sent) because of `cause`, and ended by
// its timeout at the latest.
void expect_failed(const TimedOutcome& call, std::string_view cause) {
    const auto* failure = std::get_if<http::Failure>(&call.outcome);
    ASSERT_NE(failure, nullptr) << message_of(call.outcome);
    EXPECT_EQ(failure->kind, http::Failure::Kind::maybe_applied) << failure->message;
    EXPECT_NE(failure->message.find(cause), std::string::npos) << failure->message;
    EXPECT_LT(call.elapsed, attempt_timeout + slack);
}

// The client stopped because the answer broke a limit, not because the clock ran out while
// it kept reading.
void expect_stopped_by_a_limit(const TimedOutcome& call, std::string_view limit) {
    expect_failed(call, limit);
    EXPECT_EQ(message_of(call.outcome).find("timed out"), std::string::npos) << message_of(call.outcome);
}

TEST(HostileHostPool, TrickledAnswerEndsByTheAttemptTimeout) {
    const MemoryWatch memory;
    HostileServer node(trickle);
    const auto call = send_to(node, get_request());
    expect_failed(call, "receive: timed out after 300ms");
    EXPECT_GE(call.elapsed, attempt_timeout) << "the timeout, not an earlier failure, ended it";
    expect_bounded(node, memory);
    EXPECT_LE(node.max_bytes_on_a_connection(), 2u) << "a byte a second, and it hung up within the first";
}

TEST(HostileHostPool, EndlessHeaderLinesStopAtTheHeaderLimit) {
    const MemoryWatch memory;
    HostileServer node(endless_header_lines(0ms));
    expect_stopped_by_a_limit(send_to(node, get_request()), "receive: header limit exceeded");
    expect_bounded(node, memory);
}

TEST(HostileHostPool, SlowEndlessHeaderLinesEndByTheAttemptTimeout) {
    // A line every 20 ms stays under the header limit for longer than the timeout.
    const MemoryWatch memory;
    HostileServer node(endless_header_lines(20ms));
    expect_failed(send_to(node, get_request()), "receive: timed out after 300ms");
    expect_bounded(node, memory);
}

TEST(HostileHostPool, FiveGigabyteContentLengthIsRefusedAtTheHeader) {
    const MemoryWatch memory;
    HostileServer node(five_gigabyte_body());
    expect_stopped_by_a_limit(send_to(node, get_request()), "receive: body limit exceeded");
    expect_bounded(node, memory);
}

TEST(HostileHostPool, EndlessChunkedBodyStopsAtTheBodyLimit) {
    const MemoryWatch memory;
    HostileServer node(endless_chunks());
    expect_stopped_by_a_limit(send_to(node, get_request()), "receive: body limit exceeded");
    expect_bounded(node, memory);
}

TEST(HostileHostPool, FiveGigabyteChunkIsRefusedAtItsSize) {
    const MemoryWatch memory;
    HostileServer node(five_gigabyte_chunk());
    expect_stopped_by_a_limit(send_to(node, get_request()), "receive: body limit exceeded");
    expect_bounded(node, memory);
}

TEST(HostileHostPool, EndlessChunkExtensionIsBounded) {
    // With the default attempt timeout (2 s) a client without a bound on this line shows how
    // much it takes in: everything the node sends until the clock runs out.
    const MemoryWatch memory;
    HostileServer node(endless_chunk_extension());
    const auto call = send_to(node, get_request(), 2s);
    SCOPED_TRACE("the node wrote " + std::to_string(node.max_bytes_on_a_connection()) + " bytes");
    expect_stopped_by_a_limit(call, "receive: ");
    expect_bounded(node, memory);
}

TEST(HostileHostPool, EndlessTrailerIsBounded) {
    const MemoryWatch memory;
    HostileServer node(endless_trailer());
    const auto call = send_to(node, get_request(), 2s);
    SCOPED_TRACE("the node wrote " + std::to_string(node.max_bytes_on_a_connection()) + " bytes");
    expect_stopped_by_a_limit(call, "receive: ");
    expect_bounded(node, memory);
}

TEST(HostileHostPool, NodeThatNeverReadsEndsByTheAttemptTimeout) {
    const MemoryWatch memory;
    HostileServer node(deaf);
    const auto call = send_to(node, post_request());
    expect_failed(call, "receive: timed out after 300ms");
    expect_bounded(node, memory);
}

TEST(HostileHostPool, InterimAnswerBeforeTheFinalOneIsSkipped) {
    // RFC 9110 section 15.2: a client must parse 1xx answers that come before the final one,
    // even unasked. Taking the 103 for the answer would call a POST that applied refused.
    HostileServer node([](HostileConnection& connection) {
        const std::string answer =
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" + status_only(201);
        while (connection.read_request() && connection.send(answer)) {
        }
    });
    const auto call = send_to(node, post_request());
    ASSERT_TRUE(std::holds_alternative<http::Response>(call.outcome)) << message_of(call.outcome);
    EXPECT_EQ(std::get<http::Response>(call.outcome).status, 201u);
}

TEST(HostileHostPool, UnknownStatusCodesArriveAsSentAndAreClassified) {
    // The parser takes any three digits; the classifier, not the transport, decides.
    using node_api::Reply;
    struct Case {
        unsigned status;
        Reply to_post;
        Reply to_get;
    };
    for (const auto& [status, to_post, to_get] :
         {Case{299, Reply::maybe_applied, Reply::refused}, Case{477, Reply::refused, Reply::refused},
          Case{599, Reply::maybe_applied, Reply::maybe_applied}, Case{799, Reply::maybe_applied, Reply::maybe_applied},
          Case{999, Reply::maybe_applied, Reply::maybe_applied}}) {
        SCOPED_TRACE("HTTP " + std::to_string(status));
        HostileServer node(answer_all(status));
        boost::asio::io_context io;
        http::HostPool pool(io.get_executor(), http::parse_endpoint(node.url()), HttpOptions{}, nullptr);
        node_api::NodeClient client(pool);
        auto posted = boost::asio::co_spawn(io, client.call(node_api::Call::create, "g", attempt_timeout),
                                            boost::asio::use_future);
        auto read =
            boost::asio::co_spawn(io, client.call(node_api::Call::get, "g", attempt_timeout), boost::asio::use_future);
        io.run();
        const auto post_reply = posted.get();
        const auto get_reply = read.get();
        EXPECT_EQ(post_reply.reply, to_post) << node_api::reply_name(post_reply.reply) << ": " << post_reply.detail;
        EXPECT_EQ(post_reply.detail, "HTTP " + std::to_string(status));
        EXPECT_EQ(get_reply.reply, to_get) << node_api::reply_name(get_reply.reply) << ": " << get_reply.detail;
    }
}

// ---- a saga over two good reference nodes and one hostile node

ClientOptions options_for(std::vector<std::string> hosts) {
    ClientOptions options{.hosts = std::move(hosts)};
    // Enough attempts that the deadline, not the count, ends the slow cases.
    options.retry.max_attempts = 10;
    options.retry.attempt_timeout = attempt_timeout;
    options.retry.deadline = deadline;
    options.retry.initial_backoff = 1ms;
    options.retry.max_backoff = 10ms;
    // These tests read the hostile node's own failure in the report; with the breaker at its
    // default, the second saga could see "circuit open" instead (retry_depth_test covers it).
    options.retry.breaker_failures = 1000;
    return options;
}

reference_node::NodeClusterOptions two_nodes() {
    reference_node::NodeClusterOptions options;
    options.nodes = 2;
    return options;
}

struct TimedReport {
    SagaReport report;
    Clock::duration elapsed;
};

const HostReport& host_of(const SagaReport& report, const std::string& host) {
    for (const auto& entry : report.hosts) {
        if (entry.host == host) return entry;
    }
    throw std::out_of_range("no report for " + host);
}

std::string describe(const SagaReport& report) {
    std::string text(to_string(report.outcome));
    for (const auto& host : report.hosts) {
        text += "; " + host.host + " " + std::string(to_string(host.state)) + " (" + host.last_error + ")";
    }
    return text;
}

// Both sagas ended within `bound`, by the report and by the clock.
void expect_ended_within(const TimedReport& run, std::chrono::milliseconds bound) {
    EXPECT_LE(run.elapsed, bound + slack) << describe(run.report);
    EXPECT_LE(run.report.duration, bound + slack) << describe(run.report);
}

// The two sagas of expect_clean_failures, and what the hostile node's reports say.
struct HostileRuns {
    TimedReport created;
    TimedReport deleted;
    std::vector<std::string> hostile_errors;
};

// Runs at once a create of a group no node has and a delete of a group both good nodes
// have, over the two good nodes and `behaviour`. The hostile node fails the first request of
// each, so each saga must end `rolled_back` within its deadline (the hostile node's step, the
// slow one, is bounded by it; undoing on the good nodes takes a few round trips), leave the
// good nodes as they were, and name the hostile node's failure.
HostileRuns expect_clean_failures(HostileServer::Behaviour behaviour, const std::string& hostile_error) {
    const MemoryWatch memory;
    LocalCluster good(two_nodes());
    HostileServer hostile(std::move(behaviour));
    good.put(0, "to-delete");
    good.put(1, "to-delete");
    TimedReport created;
    TimedReport deleted;
    {
        BlockingClusterClient client(options_for({good.url(0), good.url(1), hostile.url()}));
        const auto timed = [&client](auto operation) {
            const auto started = Clock::now();
            auto report = operation(client);
            return TimedReport{std::move(report), Clock::now() - started};
        };
        auto create = std::async(std::launch::async, timed, [](auto& c) { return c.create_group("to-create"); });
        auto remove = std::async(std::launch::async, timed, [](auto& c) { return c.delete_group("to-delete"); });
        created = create.get();
        deleted = remove.get();
    }  // the client is gone: every connection it kept is closed

    EXPECT_EQ(created.report.outcome, SagaOutcome::rolled_back) << describe(created.report);
    EXPECT_TRUE(good.nodes_with("to-create").empty()) << "our creations are undone on the good nodes";
    EXPECT_EQ(deleted.report.outcome, SagaOutcome::rolled_back) << describe(deleted.report);
    EXPECT_EQ(good.nodes_with("to-delete"), (std::vector<int>{0, 1})) << "our deletions are undone on the good nodes";
    for (const int i : {0, 1}) {
        EXPECT_EQ(host_of(created.report, good.url(i)).state, HostState::rolled_back) << describe(created.report);
        EXPECT_EQ(host_of(deleted.report, good.url(i)).state, HostState::restored) << describe(deleted.report);
    }
    std::vector<std::string> hostile_errors;
    for (const auto* run : {&created, &deleted}) {
        const auto& host = host_of(run->report, hostile.url());
        EXPECT_EQ(host.state, HostState::failed) << describe(run->report);
        EXPECT_NE(host.last_error.find(hostile_error), std::string::npos) << host.last_error;
        hostile_errors.push_back(host.last_error);
        expect_ended_within(*run, deadline);
    }
    expect_bounded(hostile, memory);
    return {std::move(created), std::move(deleted), std::move(hostile_errors)};
}

TEST(HostileNode, GarbageFailsCleanly) {
    expect_clean_failures(garbage, "precheck: receive: bad version");
}

TEST(HostileNode, TrickledAnswerFailsCleanlyByTheDeadline) {
    // Attempts of 300 ms each run into the 1.5 s deadline long before the trickle would end.
    expect_clean_failures(trickle, "(deadline exceeded)");
}

TEST(HostileNode, EndlessHeaderLinesFailCleanly) {
    expect_clean_failures(endless_header_lines(0ms), "precheck: receive: header limit exceeded");
}

TEST(HostileNode, SlowEndlessHeaderLinesFailCleanlyByTheDeadline) {
    expect_clean_failures(endless_header_lines(20ms), "(deadline exceeded)");
}

TEST(HostileNode, FiveGigabyteBodyFailsCleanly) {
    expect_clean_failures(five_gigabyte_body(), "precheck: receive: body limit exceeded");
}

TEST(HostileNode, EndlessChunkedBodyFailsCleanly) {
    expect_clean_failures(endless_chunks(), "precheck: receive: body limit exceeded");
}

TEST(HostileNode, EndlessChunkExtensionFailsCleanly) {
    const auto runs = expect_clean_failures(endless_chunk_extension(), "precheck: receive:");
    for (const auto& error : runs.hostile_errors) {
        EXPECT_EQ(error.find("timed out"), std::string::npos) << error << ": the client read until its timeout";
    }
}

TEST(HostileNode, SilentNodeFailsCleanlyByTheDeadline) {
    expect_clean_failures(silent, "precheck: receive: timed out");
}

TEST(HostileNode, NodeThatNeverReadsFailsCleanlyByTheDeadline) {
    expect_clean_failures(deaf, "precheck: receive: timed out");
}

TEST(HostileNode, UnknownStatusCodesFailCleanly) {
    // 299 and 477 to the first read are refused at once; 599 and up are retried until the
    // attempts run out.
    for (const unsigned status : {299u, 477u, 599u, 799u, 999u}) {
        SCOPED_TRACE("HTTP " + std::to_string(status));
        expect_clean_failures(answer_all(status), "precheck: HTTP " + std::to_string(status));
    }
}

// A node that applies every write, answers a POST with `post_answer` and a DELETE with
// `delete_answer`, and reads truthfully. A create then a delete over two good nodes and it
// must each succeed on all three nodes, or leave them all as they were: a write the node
// applied but the client took for refused would leave the group on that node alone.
void expect_all_or_none_with_odd_writes(const std::string& post_answer, const std::string& delete_answer) {
    const std::string group = "odd-writes";
    std::atomic<bool> has_group{false};
    HostileServer odd([&](HostileConnection& node) {
        while (const auto request = node.read_request()) {
            std::string answer = status_only(404);
            if (request->starts_with("POST ")) {
                has_group = true;
                answer = post_answer;
            } else if (request->starts_with("DELETE ")) {
                has_group = false;
                answer = delete_answer;
            } else if (has_group) {
                const auto body = R"({"groupId":")" + group + R"("})";
                answer = ok_head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
            }
            if (!node.send(answer)) return;
        }
    });
    LocalCluster good(two_nodes());
    BlockingClusterClient client(options_for({good.url(0), good.url(1), odd.url()}));

    const auto created = client.create_group(group);
    EXPECT_EQ(created.outcome, SagaOutcome::created) << describe(created);
    EXPECT_EQ(host_of(created, odd.url()).state, HostState::created) << describe(created);
    EXPECT_EQ(good.nodes_with(group), (std::vector<int>{0, 1}));
    EXPECT_EQ(has_group, !good.nodes_with(group).empty()) << "all or none, the odd node included";

    good.put(0, group);  // whatever the create did, the delete starts from the group everywhere
    good.put(1, group);
    has_group = true;
    const auto deleted = client.delete_group(group);
    EXPECT_EQ(deleted.outcome, SagaOutcome::deleted) << describe(deleted);
    EXPECT_EQ(host_of(deleted, odd.url()).state, HostState::deleted) << describe(deleted);
    EXPECT_TRUE(good.nodes_with(group).empty());
    EXPECT_EQ(has_group, !good.nodes_with(group).empty()) << "all or none, the odd node included";
}

TEST(HostileNode, UnknownSuccessToAWriteIsResolvedByReading) {
    // 299: a success nobody defined. Only a read can tell what it did.
    expect_all_or_none_with_odd_writes(status_only(299), status_only(299));
}

TEST(HostileNode, InterimAnswerBeforeTheFinalOneIsSkipped) {
    // RFC 9110 section 15.2: a client must parse 1xx answers that come before the final one,
    // even unasked; any server or proxy may send 103 Early Hints.
    const std::string early_hints = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
    expect_all_or_none_with_odd_writes(early_hints + status_only(201), early_hints + status_only(200));
}

// A node that reads truthfully (the group is absent) but trickles its answers to writes:
// every POST is ambiguous until the deadline, so the hostile node is ours to undo too. Its
// compensation (a DELETE, as ambiguous, then a read) has a deadline of its own: the saga
// ends within two.
TEST(HostileNode, WritesLeftUnansweredAreUndoneWithinTwoDeadlines) {
    const MemoryWatch memory;
    LocalCluster good(two_nodes());
    HostileServer hostile([](HostileConnection& node) {
        while (const auto request = node.read_request()) {
            if (request->starts_with("GET ")) {
                if (!node.send(status_only(404))) return;
                continue;
            }
            const std::string answer = status_only(201);
            for (const char byte : answer) {
                if (!node.send(std::string_view(&byte, 1)) || !node.pause(1s)) return;
            }
        }
    });
    TimedReport created;
    {
        BlockingClusterClient client(options_for({good.url(0), good.url(1), hostile.url()}));
        const auto started = Clock::now();
        auto report = client.create_group("g");
        created = TimedReport{std::move(report), Clock::now() - started};
    }
    EXPECT_EQ(created.report.outcome, SagaOutcome::rolled_back) << describe(created.report);
    EXPECT_TRUE(good.nodes_with("g").empty());
    for (const auto& host : created.report.hosts) {
        EXPECT_EQ(host.state, HostState::rolled_back) << describe(created.report);
    }
    EXPECT_NE(host_of(created.report, hostile.url()).last_error.find("timed out"), std::string::npos)
        << describe(created.report);
    expect_ended_within(created, 2 * deadline);
    expect_bounded(hostile, memory);
}

}  // namespace
}  // namespace cluster_client
