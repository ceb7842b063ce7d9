// SPDX-License-Identifier: MIT
// The progress line of a batch. Its text from counts and a given elapsed time; then a real
// batch in a real terminal (tmux), sampled as a user would see it. The line was once
// cleared by every report and redrawn at most every 100 ms: a 1,000-id batch gave 1,000
// clears and 22 redraws, and 60 of 60 looks at the terminal saw a blank line.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "local_cluster.hpp"
#include "program.hpp"
#include "progress.hpp"
#include "test_directory.hpp"
#include "time_scale.hpp"

namespace cluster_client::cli {
namespace {

using namespace std::chrono_literals;

TEST(ProgressText, ShowsDoneTotalRateEtaAndFailures) {
    EXPECT_EQ(progress_text({412, 3, 0}, 1000, 500ms),
              "[############                  ] 412/1000  41%  824/s  ETA 1s  failed 3  open 0");
    EXPECT_EQ(progress_text({10, 0, 1}, 1000, 10s),
              "[                              ] 10/1000  1%  1.0/s  ETA 16m30s  failed 0  open 1");
    EXPECT_EQ(progress_text({1000, 0, 0}, 1000, 2s),
              "[##############################] 1000/1000  100%  500/s  failed 0  open 0");
}

TEST(ProgressText, HasNoRateBeforeTheFirstSagaEnds) {
    EXPECT_EQ(progress_text({0, 0, 0}, 10, 0s), "[                              ] 0/10  0%  failed 0  open 0");
}

TEST(ProgressText, CountsWithoutATotalWhenIdsComeFromStdin) {
    EXPECT_EQ(progress_text({5, 2, 0}, std::nullopt, 2s), "5 done  2.5/s  failed 2  open 0");
}

// A tmux server of the test's own (its own socket), ended with the test.
class Tmux {
public:
    Tmux() : socket_("cluster-client-progress-" + std::to_string(::getpid())) {}
    ~Tmux() { run({"kill-server"}); }
    Tmux(const Tmux&) = delete;
    Tmux& operator=(const Tmux&) = delete;

    testing::ProgramResult run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"-L", socket_, "-f", "/dev/null"});
        return testing::run_program("/usr/bin/tmux", args);
    }
    std::string screen() const { return run({"capture-pane", "-p", "-t", "progress"}).out; }

private:
    std::string socket_;
};

// The screen's last line that is not blank: where the cursor and the progress line are.
std::string last_line(const std::string& screen) {
    std::string last;
    std::size_t begin = 0;
    while (begin < screen.size()) {
        const auto end = std::min(screen.find('\n', begin), screen.size());
        const auto line = screen.substr(begin, end - begin);
        if (line.find_first_not_of(' ') != std::string::npos) last = line;
        begin = end + 1;
    }
    return last;
}

TEST(ProgressLine, StaysOnTheTerminalWhileReportsScrollPast) {
    ASSERT_TRUE(std::filesystem::exists("/usr/bin/tmux")) << "needs tmux (scripts/install-deps.sh installs it)";
    const testing::TestDirectory home("progress");
    std::filesystem::create_directories(home.path());
    reference_node::NodeClusterOptions slow;
    slow.faults.latency = 4ms;  // about 3 s for the batch below
    testing::LocalCluster cluster(slow);
    constexpr int total = 600;
    const auto ids = home.path() / "ids";
    {
        std::ofstream file(ids);
        for (int i = 0; i < total; ++i) file << "p" << i << '\n';
    }
    std::string hosts;
    for (const auto& url : cluster.urls()) hosts += (hosts.empty() ? "" : ",") + url;
    const auto state = home.path().string();
    const std::string command = "env -u HOSTS XDG_STATE_HOME=" + state + " XDG_CONFIG_HOME=" + state + " " +
                                CLUSTER_CLIENT_EXE + " --hosts " + hosts + " create --concurrency 2 --from-file " +
                                ids.string() + "; echo exit=$?; sleep 600";
    const Tmux tmux;
    ASSERT_EQ(tmux.run({"new-session", "-d", "-s", "progress", "-x", "160", "-y", "40", command}).exit_status, 0);

    const std::regex bar(R"(^\[[# ]{30}\] (\d+)/600  \d+%.*  failed 0  open 0$)");
    int samples = 0;
    int showing = 0;
    long last_done = 0;
    std::string screen;
    const auto deadline = std::chrono::steady_clock::now() + testing::scaled(std::chrono::milliseconds(60s));
    while (std::chrono::steady_clock::now() < deadline) {
        screen = tmux.screen();
        if (screen.find("exit=") != std::string::npos) break;
        const auto line = last_line(screen);
        std::smatch match;
        if (std::regex_match(line, match, bar)) {
            ++showing;
            const long done = std::stol(match[1]);
            EXPECT_GE(done, last_done) << "the count never goes back";
            last_done = done;
        }
        if (showing > 0) ++samples;  // from the first look that found the line drawn
        std::this_thread::sleep_for(20ms);
    }
    ASSERT_NE(screen.find("exit=0"), std::string::npos) << screen;
    ASSERT_GE(samples, 20) << "the batch ended too soon to be watched";
    EXPECT_GE(showing, samples * 9 / 10) << showing << " of " << samples << " looks saw the progress line";
    EXPECT_NE(screen.find("600/600  100%"), std::string::npos) << "the last line drawn is the whole batch:\n" << screen;
    for (int node = 0; node < cluster.size(); ++node) EXPECT_EQ(cluster.groups(node).size(), 600u);
}

}  // namespace
}  // namespace cluster_client::cli
