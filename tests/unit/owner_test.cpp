// SPDX-License-Identifier: MIT
#include "saga/owner.hpp"

#include <csignal>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using cluster_client::saga::is_running;
using cluster_client::saga::Owner;
using cluster_client::saga::this_process;

namespace {

// Forks a child that runs `body` and exits with its result; returns the exit status.
template <class Body>
int in_child(Body body) {
    const pid_t child = ::fork();
    if (child == 0) std::_Exit(body());
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(Owner, SelfIsThisProcessAndAlive) {
    const Owner self = this_process();
    EXPECT_EQ(self.pid, static_cast<std::int64_t>(::getpid()));
    ASSERT_FALSE(self.start_time.empty());
    EXPECT_EQ(self.start_time.find_first_not_of("0123456789"), std::string::npos) << self.start_time;
    EXPECT_TRUE(is_running(self));
    EXPECT_EQ(this_process(), self);
}

TEST(Owner, SamePidWithAnotherStartTimeIsDead) {
    // What a reused pid looks like: the pid runs, but it is not the process that held it.
    Owner reused = this_process();
    reused.start_time = "1";
    EXPECT_FALSE(is_running(reused));
}

TEST(Owner, WithoutStartTimeOnlyThePidCounts) {
    EXPECT_TRUE(is_running(Owner{1, ""}));  // init: running, and perhaps not ours to signal
    EXPECT_TRUE(is_running(Owner{::getpid(), ""}));
}

TEST(Owner, ImpossiblePidsAreDead) {
    EXPECT_FALSE(is_running(Owner{0, ""}));
    EXPECT_FALSE(is_running(Owner{-5, "1"}));
    EXPECT_FALSE(is_running(Owner{std::int64_t{1} << 40, ""}));
}

TEST(Owner, KilledChildIsDeadBeforeAndAfterItIsReaped) {
    int pipe_ends[2];
    ASSERT_EQ(::pipe(pipe_ends), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        const std::string start_time = this_process().start_time;
        const bool sent = ::write(pipe_ends[1], start_time.data(), start_time.size()) ==
                          static_cast<ssize_t>(start_time.size());
        ::close(pipe_ends[1]);
        if (sent) ::pause();
        std::_Exit(1);
    }
    ::close(pipe_ends[1]);
    std::string start_time;
    char buffer[64];
    for (ssize_t n; (n = ::read(pipe_ends[0], buffer, sizeof buffer)) > 0;) {
        start_time.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipe_ends[0]);

    const Owner owner{child, start_time};
    EXPECT_TRUE(is_running(owner));
    ::kill(child, SIGKILL);
    // Waits for the death but leaves the child a zombie: it no longer runs.
    siginfo_t info{};
    ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
    EXPECT_FALSE(is_running(owner));
    ::waitpid(child, nullptr, 0);
    EXPECT_FALSE(is_running(owner));
}

TEST(Owner, StartTimeSurvivesAProcessNameWithSpacesAndParentheses) {
    // The name comes before the start time in /proc/<pid>/stat: a naive split would shift it.
    const int status = in_child([] {
        const Owner before = this_process();
        ::prctl(PR_SET_NAME, "a) b ( c) 9 9", 0, 0, 0);
        const Owner after = this_process();
        return after == before && is_running(after) ? 0 : 1;
    });
    EXPECT_EQ(status, 0);
}
