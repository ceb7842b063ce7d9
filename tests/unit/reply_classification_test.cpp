// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "http/host_pool.hpp"
#include "node_api/node_client.hpp"

using cluster_client::http::Failure;
using cluster_client::node_api::Call;
using cluster_client::node_api::classify_failure;
using cluster_client::node_api::classify_status;
using cluster_client::node_api::Reply;
using cluster_client::node_api::reply_name;

namespace {

void expect_all(Call call, std::initializer_list<unsigned> statuses, Reply expected) {
    for (const unsigned status : statuses) {
        EXPECT_EQ(classify_status(call, status), expected)
            << "status " << status << ": got " << reply_name(classify_status(call, status)) << ", want "
            << reply_name(expected);
    }
}

constexpr Call every_call[] = {Call::create, Call::get, Call::delete_};

}  // namespace

// ---- the answers docs/node-api.md expects

TEST(ReplyClassification, PostCreatedIsCreated) {
    expect_all(Call::create, {201}, Reply::created);
}

TEST(ReplyClassification, PostBadRequestMeansExistsOrInvalid) {
    // The API's "perhaps the object exists": only a read can tell which.
    expect_all(Call::create, {400}, Reply::exists_or_invalid);
}

TEST(ReplyClassification, GetOkIsPresentAndNotFoundIsAbsent) {
    expect_all(Call::get, {200}, Reply::present);
    expect_all(Call::get, {404}, Reply::absent);
}

TEST(ReplyClassification, DeleteOkIsDeletedAndNotFoundIsAbsent) {
    expect_all(Call::delete_, {200}, Reply::deleted);
    expect_all(Call::delete_, {404}, Reply::absent);
}

// ---- what nodes that decide otherwise answer (docs/node-api.md: the client tolerates them)

TEST(ReplyClassification, DeleteOfAMissingGroupAnsweredBadRequestIsAbsent) {
    expect_all(Call::delete_, {400}, Reply::absent);
}

TEST(ReplyClassification, OtherSuccessAndConflictSpellingsAreAccepted) {
    expect_all(Call::create, {200}, Reply::created);
    expect_all(Call::create, {409}, Reply::exists_or_invalid);
    expect_all(Call::delete_, {204}, Reply::deleted);
}

// ---- the unreliable network

TEST(ReplyClassification, ServerErrorsAreAmbiguousForEveryCall) {
    for (const auto call : every_call) expect_all(call, {500, 502, 503, 504, 599}, Reply::maybe_applied);
}

TEST(ReplyClassification, TooManyRequestsIsThrottledForEveryCall) {
    for (const auto call : every_call) expect_all(call, {429}, Reply::throttled);
}

TEST(ReplyClassification, AnswersRetryingCannotFixAreRefused) {
    // A 404 to a POST or a DELETE route that exists would be absent, but a 404 to a POST
    // means the route is wrong: retrying will not help.
    expect_all(Call::create, {404, 401, 403, 405, 301, 100}, Reply::refused);
    expect_all(Call::get, {400, 401, 403, 405, 201, 204, 302}, Reply::refused);
    expect_all(Call::delete_, {401, 403, 405, 302}, Reply::refused);
}

// ---- status codes no node of docs/node-api.md sends (a proxy, a broken or hostile node)

TEST(ReplyClassification, UnknownSuccessToAWriteIsAmbiguous) {
    // The node took the write and says nothing we understand about it: it may have applied
    // it, so only a read can tell (refused would leave our write uncompensated).
    expect_all(Call::create, {202, 203, 204, 206, 226, 299}, Reply::maybe_applied);
    expect_all(Call::delete_, {201, 202, 203, 206, 226, 299}, Reply::maybe_applied);
}

TEST(ReplyClassification, UnknownSuccessToAReadIsRefused) {
    // A GET writes nothing and an odd success is no presence: nothing to resolve.
    expect_all(Call::get, {201, 202, 204, 299}, Reply::refused);
}

TEST(ReplyClassification, UnknownInformationalRedirectAndClientErrorsAreRefused) {
    for (const auto call : every_call) {
        expect_all(call, {0, 1, 99, 100, 101, 150, 199, 300, 304, 307, 399, 402, 418, 451, 477, 499}, Reply::refused);
    }
}

TEST(ReplyClassification, EveryStatusFromFiveHundredUpIsAmbiguous) {
    // The parser takes any three digits: 7xx, 8xx and 999 are as unknown as 599.
    for (const auto call : every_call) expect_all(call, {501, 550, 599, 600, 700, 799, 800, 999}, Reply::maybe_applied);
}

TEST(ReplyClassification, SuccessOfAnotherCallIsNotTakenForThisOne) {
    // A 201 answering a GET, or a 200 answering nothing we understand, must not pass for
    // a group's presence.
    EXPECT_NE(classify_status(Call::get, 201), Reply::present);
    EXPECT_NE(classify_status(Call::delete_, 201), Reply::deleted);
}

TEST(ReplyClassification, FailureBeforeSendingIsNotSent) {
    const Failure failure{Failure::Kind::not_sent, "connect: Connection refused", false};
    EXPECT_EQ(classify_failure(failure), Reply::not_sent);
}

TEST(ReplyClassification, FailureAfterSendingIsAmbiguous) {
    EXPECT_EQ(classify_failure(Failure{Failure::Kind::maybe_applied, "receive: timed out", false}),
              Reply::maybe_applied);
    EXPECT_EQ(classify_failure(Failure{Failure::Kind::maybe_applied, "receive: Connection reset by peer", false}),
              Reply::maybe_applied);
}

TEST(ReplyClassification, PermanentFailureBeforeSendingIsRefused) {
    const Failure failure{Failure::Kind::not_sent, "tls handshake: certificate verify failed", true};
    EXPECT_EQ(classify_failure(failure), Reply::refused);
}

TEST(ReplyClassification, PermanentFailureAfterSendingStaysAmbiguous) {
    // A write that may have applied must be resolved by reading (and compensated), however
    // final the failure looks: calling it refused would leave it uncompensated.
    const Failure failure{Failure::Kind::maybe_applied, "receive: stream truncated", true};
    EXPECT_EQ(classify_failure(failure), Reply::maybe_applied);
}

TEST(ReplyClassification, ReplyNamesAreStable) {
    // Reports and logs print these; scripts may match on them.
    EXPECT_EQ(reply_name(Reply::created), "created");
    EXPECT_EQ(reply_name(Reply::exists_or_invalid), "exists_or_invalid");
    EXPECT_EQ(reply_name(Reply::deleted), "deleted");
    EXPECT_EQ(reply_name(Reply::present), "present");
    EXPECT_EQ(reply_name(Reply::absent), "absent");
    EXPECT_EQ(reply_name(Reply::not_sent), "not_sent");
    EXPECT_EQ(reply_name(Reply::maybe_applied), "maybe_applied");
    EXPECT_EQ(reply_name(Reply::throttled), "throttled");
    EXPECT_EQ(reply_name(Reply::refused), "refused");
}

// ---- the request each call sends (docs/node-api.md, "The three calls")

TEST(CallRequest, CreateAndDeletePostTheIdAsJson) {
    using cluster_client::node_api::request_for;
    namespace http = cluster_client::http;
    const auto create = request_for(Call::create, "a/\"b");
    EXPECT_EQ(create.method, http::Method::post);
    EXPECT_EQ(create.path, "/v1/group/");
    EXPECT_EQ(create.json_body, R"({"groupId":"a/\"b"})");
    const auto remove = request_for(Call::delete_, "a/\"b");
    EXPECT_EQ(remove.method, http::Method::delete_);
    EXPECT_EQ(remove.path, "/v1/group/");
    EXPECT_EQ(remove.json_body, create.json_body);
}

TEST(CallRequest, GetPutsTheIdInThePathAsOneSegment) {
    const auto get = cluster_client::node_api::request_for(Call::get, "a/b c");
    EXPECT_EQ(get.method, cluster_client::http::Method::get);
    EXPECT_EQ(get.path, "/v1/group/a%2Fb%20c/");
    EXPECT_TRUE(get.json_body.empty());
}
