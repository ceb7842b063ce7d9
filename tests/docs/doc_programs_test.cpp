// SPDX-License-Identifier: MIT
// The whole programs the README and docs/ show, built from the pages themselves
// (extract_snippets.py), run against real nodes: each must exit 0, reach every node and leave
// none holding a group (they create, then delete). The README's example once did not
// compile as written.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "local_cluster.hpp"
#include "program.hpp"
#include "test_directory.hpp"

namespace cluster_client {
namespace {

std::vector<std::string> programs() {
    const auto listed = testing::run_program(DOC_SNIPPETS_EXE, {"--list"});
    EXPECT_EQ(listed.exit_status, 0) << listed.err;
    std::vector<std::string> names;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) names.push_back(line);
    return names;
}

TEST(DocPrograms, TheReadmeAndTheLibraryGuideShowWholePrograms) {
    const auto names = programs();
    const auto has = [&](std::string_view page) {
        for (const auto& name : names) {
            if (name.starts_with(page)) return true;
        }
        return false;
    };
    EXPECT_TRUE(has("README.md:")) << "the README's example is no longer a whole program";
    EXPECT_TRUE(has("docs/library.md:")) << "the library guide's coroutine program is gone";
}

TEST(DocPrograms, EachRunsAgainstRealNodesAndLeavesThemAsTheyWere) {
    for (const auto& name : programs()) {
        SCOPED_TRACE(name);
        const testing::TestDirectory state("doc-programs");
        testing::LocalCluster cluster;
        std::string hosts;
        for (const auto& url : cluster.urls()) hosts += (hosts.empty() ? "" : ",") + url;
        testing::ProgramOptions options;
        options.env = {{"HOSTS", hosts}, {"XDG_STATE_HOME", state.path().string()}};
        const auto run = testing::run_program(DOC_SNIPPETS_EXE, {name, hosts, "doc-group"}, options);
        EXPECT_EQ(run.exit_status, 0) << run.out << run.err;
        EXPECT_EQ(run.err, "") << "the library logs nothing below a warning by default";
        for (int node = 0; node < cluster.size(); ++node) {
            EXPECT_GT(cluster.requests(node), 0u) << "node " << node;
            EXPECT_TRUE(cluster.groups(node).empty()) << "node " << node;
        }
    }
}

}  // namespace
}  // namespace cluster_client
