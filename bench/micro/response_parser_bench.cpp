// SPDX-License-Identifier: MIT
// Response parsing: one node answer through a fresh ResponseParser, whole or in two reads.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>
#include <boost/beast/http/error.hpp>

#include <cluster_client/options.hpp>

#include "http/wire.hpp"

namespace {

using cluster_client::HttpOptions;
using cluster_client::http::ResponseParser;

constexpr std::string_view created_answer =
    "HTTP/1.1 201 Created\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 21\r\n"
    "\r\n"
    R"({"groupId":"team-42"})";

constexpr std::string_view not_found_answer =
    "HTTP/1.1 404 Not Found\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// The same body as created_answer, in two chunks of 11 and 10 bytes.
constexpr std::string_view chunked_answer =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "b\r\n"
    R"({"groupId":)"
    "\r\n"
    "a\r\n"
    R"("team-42"})"
    "\r\n"
    "0\r\n"
    "\r\n";

constexpr std::string_view group_json = R"({"groupId":"team-42"})";

// Feeds `answer` the way the connection's read loop does: the bytes that have arrived (the
// first `first_read` bytes, then all of them) are fed from the first one not consumed yet.
// True when the parser finished without error.
bool parse(ResponseParser& parser, std::string_view answer, std::size_t first_read) {
    std::size_t received = first_read < answer.size() ? first_read : answer.size();
    std::size_t consumed = 0;
    for (;;) {
        if (received > consumed) {
            boost::system::error_code ec;
            consumed += parser.feed(answer.substr(consumed, received - consumed), ec);
            if (ec && ec != boost::beast::http::error::need_more) return false;
            if (parser.done()) return true;
        }
        if (received == answer.size()) return false;  // the whole answer did not end it
        received = answer.size();
    }
}

void run(benchmark::State& state, std::string_view answer, std::size_t first_read, unsigned status,
         std::string_view body) {
    const HttpOptions limits;
    {
        ResponseParser parser(limits.max_header_bytes, limits.max_body_bytes);
        if (!parse(parser, answer, first_read) || parser.status() != status || parser.body() != body) {
            state.SkipWithError("the answer did not parse as expected");
            return;
        }
    }
    for (auto _ : state) {
        ResponseParser parser(limits.max_header_bytes, limits.max_body_bytes);
        if (!parse(parser, answer, first_read)) {
            state.SkipWithError("the answer did not parse");
            break;
        }
        benchmark::DoNotOptimize(parser.status());
        benchmark::DoNotOptimize(parser.body());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(answer.size()));
}

void BM_ParseCreatedAnswer(benchmark::State& state) {
    run(state, created_answer, created_answer.size(), 201, group_json);
}
BENCHMARK(BM_ParseCreatedAnswer);

void BM_ParseNotFoundAnswer(benchmark::State& state) {
    run(state, not_found_answer, not_found_answer.size(), 404, "");
}
BENCHMARK(BM_ParseNotFoundAnswer);

void BM_ParseChunkedAnswer(benchmark::State& state) {
    run(state, chunked_answer, chunked_answer.size(), 200, group_json);
}
BENCHMARK(BM_ParseChunkedAnswer);

// The created answer arriving in two reads, the first ending in the middle of the header:
// compare with BM_ParseCreatedAnswer for the cost of a split read.
void BM_ParseSplitAnswer(benchmark::State& state) {
    const std::size_t header_end = created_answer.find("\r\n\r\n");
    run(state, created_answer, header_end / 2, 201, group_json);
}
BENCHMARK(BM_ParseSplitAnswer);

}  // namespace
