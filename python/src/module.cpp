// SPDX-License-Identifier: MIT
// cluster_client._core: the C++ core for the Python package. The package's Python modules
// build the public API (ClusterClient, BlockingClusterClient) on Runtime.
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/chrono.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cluster_client/errors.hpp>
#include <cluster_client/report.hpp>
#include <cluster_client/version.hpp>

#include "log_sink.hpp"
#include "options.hpp"
#include "runtime.hpp"

namespace py = pybind11;
using namespace cluster_client;

namespace {

Operation operation_named(const std::string& name) {
    for (const auto& [value, text] : enum_names(Operation{})) {
        if (text == name) return value;
    }
    throw ConfigError("no operation named " + name);
}

py::dict host_dict(const HostReport& host) {
    py::dict dict;
    dict["host"] = host.host;
    dict["state"] = std::string(to_string(host.state));
    dict["attempts"] = host.attempts;
    dict["error"] = host.last_error;
    return dict;
}

std::string host_repr(const HostReport& host) {
    std::ostringstream text;
    text << "HostReport(host=" << py::repr(py::str(host.host)).cast<std::string>() << ", state='"
         << to_string(host.state) << "', attempts=" << host.attempts
         << ", error=" << py::repr(py::str(host.last_error)).cast<std::string>() << ")";
    return text.str();
}

std::string report_repr(const SagaReport& report) {
    std::ostringstream text;
    text << "SagaReport(" << to_string(report.operation) << ' ' << py::repr(py::str(report.group)).cast<std::string>()
         << ": " << to_string(report.outcome) << (report.ok() ? ", ok" : ", not ok") << ", " << report.duration.count()
         << " ms, hosts=[";
    for (std::size_t i = 0; i < report.hosts.size(); ++i) {
        text << (i == 0 ? "" : ", ") << report.hosts[i].host << ' ' << to_string(report.hosts[i].state);
    }
    text << "])";
    return text.str();
}

}  // namespace

PYBIND11_MODULE(_core, module) {
    module.doc() = "The C++ core of cluster_client; use the package's ClusterClient, not this module.";
    module.attr("__version__") = std::string(version);

    // Exceptions of the library become those of cluster_client._errors, by their names.
    py::register_exception_translator([](std::exception_ptr failure) {
        try {
            if (failure) std::rethrow_exception(failure);
        } catch (const Error& error) {
            const py::object type = py::module_::import("cluster_client._errors").attr(python::error_kind(error));
            PyErr_SetString(type.ptr(), error.what());
        }
    });

    py::class_<HostReport>(module, "HostReport", "Where one node ended, from one saga's point of view.")
        .def_readonly("host", &HostReport::host, "The node's canonical URL.")
        .def_property_readonly(
            "state", [](const HostReport& host) { return std::string(to_string(host.state)); },
            "created, deleted, already_present, already_absent, present, absent, failed, rolled_back, restored, "
            "rollback_failed or unknown.")
        .def_readonly("attempts", &HostReport::attempts, "Requests this saga sent to the node.")
        .def_readonly("error", &HostReport::last_error, "The last failure seen on the node, or ''.")
        .def("to_dict", &host_dict, "The report as a dict of plain values.")
        .def("__repr__", &host_repr);

    py::class_<SagaReport>(module, "SagaReport", "Everything one saga did: its outcome and every node's part.")
        .def_readonly("group", &SagaReport::group, "The group id.")
        .def_property_readonly(
            "operation", [](const SagaReport& report) { return std::string(to_string(report.operation)); },
            "create, delete, ensure or verify.")
        .def_property_readonly(
            "outcome", [](const SagaReport& report) { return std::string(to_string(report.outcome)); },
            "How the saga ended: created, deleted, already_exists, not_found, present, absent, conflict, "
            "rolled_back, rollback_incomplete, incomplete, busy or unknown.")
        .def_property_readonly("ok", &SagaReport::ok, "True when the cluster ended in the state asked for.")
        .def_readonly("hosts", &SagaReport::hosts, "A HostReport per node, in the client's order.")
        .def_readonly("duration", &SagaReport::duration, "How long the saga took.")
        .def_property_readonly("failed_hosts", &SagaReport::failed_hosts,
                               "The nodes not in the state asked for (what delete_group returns).")
        .def_property_readonly("left_open", &SagaReport::left_open,
                               "True when the saga is left open for recover() (rollback_incomplete, incomplete).")
        .def(
            "to_dict",
            [](const SagaReport& report) {
                py::dict dict;
                dict["group"] = report.group;
                dict["operation"] = std::string(to_string(report.operation));
                dict["outcome"] = std::string(to_string(report.outcome));
                dict["ok"] = report.ok();
                dict["duration_ms"] = report.duration.count();
                py::list hosts;
                for (const auto& host : report.hosts) hosts.append(host_dict(host));
                dict["hosts"] = hosts;
                return dict;
            },
            "The report as a dict of plain values, as `cluster-client --output json` prints it.")
        .def("raise_if_failed", &SagaReport::throw_if_failed,
             "Raises GroupOperationError, naming the group, the outcome and the nodes that failed, unless ok.")
        .def("__repr__", &report_repr);

    py::class_<python::Runtime>(module, "Runtime", "A ClusterClient on its own Asio thread.")
        .def(py::init([](const std::vector<std::string>& hosts,
                         const std::vector<std::pair<std::string, std::string>>& values, bool mailbox) {
                 auto options = python::client_options(hosts, values);
                 py::gil_scoped_release release;
                 return std::make_unique<python::Runtime>(std::move(options), mailbox
                                                                                  ? python::Runtime::Delivery::mailbox
                                                                                  : python::Runtime::Delivery::direct);
             }),
             py::arg("hosts"), py::arg("values"), py::arg("mailbox"))
        .def(
            "start",
            [](python::Runtime& runtime, const std::string& operation, std::string group_id, py::object done) {
                const Operation which = operation_named(operation);
                auto callback = python::hold(std::move(done));
                py::gil_scoped_release release;
                runtime.start(which, std::move(group_id), std::move(callback));
            },
            py::arg("operation"), py::arg("group_id"), py::arg("done"))
        .def(
            "verify_on_host",
            [](python::Runtime& runtime, std::string host, std::string group_id, py::object done) {
                auto callback = python::hold(std::move(done));
                py::gil_scoped_release release;
                runtime.verify_on_host(std::move(host), std::move(group_id), std::move(callback));
            },
            py::arg("host"), py::arg("group_id"), py::arg("done"))
        .def(
            "recover",
            [](python::Runtime& runtime, py::object done) {
                auto callback = python::hold(std::move(done));
                py::gil_scoped_release release;
                runtime.recover(std::move(callback));
            },
            py::arg("done"))
        .def("close", &python::Runtime::close, py::call_guard<py::gil_scoped_release>())
        .def_property_readonly("in_flight", &python::Runtime::in_flight)
        .def_property_readonly("wakeup_fd", &python::Runtime::wakeup_fd)
        .def("drain", &python::Runtime::drain)
        .def_property_readonly("hosts", &python::Runtime::hosts);

    module.def(
        "keyword_options",
        [] {
            py::list options;
            for (const auto& option : python::keyword_options()) {
                py::dict row;
                row["name"] = option.name;
                row["kind"] = option.kind;
                row["default"] = option.default_value;
                row["doc"] = option.doc;
                row["choices"] = option.choices;
                options.append(row);
            }
            return options;
        },
        "The keyword arguments ClusterClient takes: name, kind, default, doc and choices of each.");
    module.def("log_to_python", &python::log_to_python, py::arg("level"),
               "Sends the library's logs to the logger cluster_client, from `level` (a logging level) up.");
    module.def("abandon_all", &python::Runtime::abandon_all, py::call_guard<py::gil_scoped_release>(),
               "At interpreter exit: stops every client now; sagas in flight stay open in the saga log.");
}
