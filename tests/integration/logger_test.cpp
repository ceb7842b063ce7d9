// SPDX-License-Identifier: MIT
// Where the client's logs go. A library never writes to stdout: spdlog's default logger
// does, so a program built on the client once found "[info] saga create ..." lines in its
// own output. By default only warnings and errors reach stderr; a given logger gets every
// line at its level; a null one gets nothing.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cluster_client/cluster_client.hpp>

#include "local_cluster.hpp"
#include "test_directory.hpp"

namespace cluster_client {
namespace {

using testing::LocalCluster;

// Sends this process's stdout and stderr to files while it lives.
class CapturedOutput {
public:
    explicit CapturedOutput(const std::filesystem::path& dir) : out_path_(dir / "stdout"), err_path_(dir / "stderr") {
        std::fflush(stdout);
        std::fflush(stderr);
        saved_out_ = ::dup(STDOUT_FILENO);
        saved_err_ = ::dup(STDERR_FILENO);
        redirect(STDOUT_FILENO, out_path_);
        redirect(STDERR_FILENO, err_path_);
    }
    ~CapturedOutput() { restore(); }
    CapturedOutput(const CapturedOutput&) = delete;
    CapturedOutput& operator=(const CapturedOutput&) = delete;

    void restore() {
        if (saved_out_ < 0) return;
        std::fflush(stdout);
        std::fflush(stderr);
        ::dup2(saved_out_, STDOUT_FILENO);
        ::dup2(saved_err_, STDERR_FILENO);
        ::close(saved_out_);
        ::close(saved_err_);
        saved_out_ = saved_err_ = -1;
    }
    std::string out() const { return read(out_path_); }
    std::string err() const { return read(err_path_); }

private:
    static void redirect(int fd, const std::filesystem::path& path) {
        const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ASSERT_GE(file, 0);
        ::dup2(file, fd);
        ::close(file);
    }
    static std::string read(const std::filesystem::path& path) {
        std::ifstream file(path);
        return {std::istreambuf_iterator<char>(file), {}};
    }

    std::filesystem::path out_path_;
    std::filesystem::path err_path_;
    int saved_out_ = -1;
    int saved_err_ = -1;
};

// A create and a delete that succeed: info lines for each saga, debug lines for each request.
void run_sagas(ClientOptions options, const LocalCluster& cluster) {
    options.hosts = cluster.urls();
    options.retry.max_attempts = 2;
    options.retry.initial_backoff = std::chrono::milliseconds(1);
    BlockingClusterClient client(options);
    EXPECT_TRUE(client.create_group("logged").ok());
    EXPECT_TRUE(client.delete_group("logged").ok());
}

TEST(Logger, ByDefaultNothingReachesStdoutAndOnlyWarningsReachStderr) {
    const testing::TestDirectory dir("logger");
    std::filesystem::create_directories(dir.path());
    LocalCluster cluster;
    CapturedOutput captured(dir.path());
    run_sagas({}, cluster);
    default_logger()->warn("a warning of the client's");
    captured.restore();
    EXPECT_EQ(captured.out(), "");
    EXPECT_EQ(captured.err(), "cluster_client: [warning] a warning of the client's\n");
}

TEST(Logger, AGivenLoggerGetsEveryLineAtItsLevel) {
    const testing::TestDirectory dir("logger");
    std::filesystem::create_directories(dir.path());
    LocalCluster cluster;
    std::ostringstream lines;
    auto logger = std::make_shared<spdlog::logger>("app", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("%l %v");
    CapturedOutput captured(dir.path());
    ClientOptions options;
    options.logger = logger;
    run_sagas(options, cluster);
    captured.restore();
    EXPECT_EQ(captured.out(), "");
    EXPECT_EQ(captured.err(), "");
    EXPECT_NE(lines.str().find("info saga create logged: created in "), std::string::npos) << lines.str();
    EXPECT_NE(lines.str().find("info saga delete logged: deleted in "), std::string::npos) << lines.str();
    EXPECT_NE(lines.str().find("debug saga logged: " + cluster.url(0) + " POST -> created"), std::string::npos)
        << lines.str();
}

TEST(Logger, ANullLoggerSilencesTheClient) {
    const testing::TestDirectory dir("logger");
    std::filesystem::create_directories(dir.path());
    LocalCluster cluster;
    // spdlog's default logger would print to stdout: the client must not use it.
    spdlog::set_level(spdlog::level::trace);
    CapturedOutput captured(dir.path());
    ClientOptions options;
    options.logger = nullptr;
    run_sagas(options, cluster);
    captured.restore();
    spdlog::set_level(spdlog::level::info);
    EXPECT_EQ(captured.out(), "");
    EXPECT_EQ(captured.err(), "");
}

}  // namespace
}  // namespace cluster_client
