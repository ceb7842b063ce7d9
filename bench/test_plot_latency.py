# SPDX-License-Identifier: MIT
"""Tests of plot_latency.py, run as a subprocess on small inputs.

Run from the repository root: python3 -m unittest bench/test_plot_latency.py -v
"""

import json
import os
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).resolve().parent / "plot_latency.py"
SVG = "{http://www.w3.org/2000/svg}"


def row(nodes, client, operation, p50, p99=None, round_trips=1.0):
    """Return one input line as cluster-bench writes it."""
    return json.dumps({"nodes": nodes, "client": client, "operation": operation,
                       "p50_ms": p50, "p99_ms": p50 * 1.2 if p99 is None else p99,
                       "round_trips": round_trips})


SAMPLE = "\n".join([
    row(3, "strict", "create", 15.6),
    row(3, "strict", "delete", 15.6),
    row(3, "fast", "create", 10.4),
    row(3, "sequential", "create", 30.8),
    row(10, "strict", "create", 16.2),
    row(10, "strict", "delete", 16.5),
    row(10, "fast", "create", 10.9),
    row(10, "sequential", "create", 102.7),
    "",
    row(100, "sequential", "create", 1038.5),
    row(100, "strict", "create", 27.3),
    row(100, "fast", "create", 16.6),
    row(1000, "strict", "create", 55.0),
]) + "\n"

SAMPLE_COUNTS = {"strict create": 4, "strict delete": 2, "fast create": 3, "sequential create": 3}


def run(stdin_text, *args):
    """Run the script with args, feeding stdin_text; return the CompletedProcess."""
    return subprocess.run([PYTHON, str(SCRIPT), *args], input=stdin_text, capture_output=True,
                          text=True, timeout=60, check=False)


def plot(stdin_text, *args):
    """Run the script on stdin_text (read from '-'), check success, return the SVG root."""
    result = run(stdin_text, "-", *args)
    if result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return ET.fromstring(result.stdout)


def texts(root, css_class):
    """Return the text of every <text> element of the given class, in document order."""
    return [element.text for element in root.iter(SVG + "text") if element.get("class") == css_class]


def series_groups(root):
    """Return {series name: <g> element} for every series group."""
    groups = [g for g in root.iter(SVG + "g") if g.get("class") == "series"]
    return {g.find(SVG + "title").text: g for g in groups}


def polyline_points(group, css_class):
    """Return the number of points of the group's polyline of css_class, or None without one."""
    for line in group.iter(SVG + "polyline"):
        if line.get("class") == css_class:
            return len(line.get("points").split())
    return None


class ValidOutputTest(unittest.TestCase):
    """Charts drawn from valid input."""

    @classmethod
    def setUpClass(cls):
        cls.root = plot(SAMPLE)

    def test_is_standalone_svg(self):
        self.assertEqual(self.root.tag, SVG + "svg")
        self.assertEqual((self.root.get("width"), self.root.get("height")), ("800", "500"))
        self.assertIsNone(self.root.find(f".//{SVG}image"))

    def test_has_title_and_axis_titles(self):
        self.assertEqual(texts(self.root, "title"), ["Saga latency against the number of nodes"])
        self.assertEqual(texts(self.root, "axis-title"), ["nodes (N)", "p50 latency (ms)"])

    def test_one_legend_entry_per_series(self):
        legend = [g for g in self.root.iter(SVG + "g") if g.get("class") == "legend-entry"]
        names = [g.find(SVG + "text").text for g in legend]
        self.assertEqual(names, ["strict create", "strict delete", "fast create", "sequential create"])

    def test_one_line_per_series_with_every_row(self):
        groups = series_groups(self.root)
        self.assertEqual(set(groups), set(SAMPLE_COUNTS))
        for name, count in SAMPLE_COUNTS.items():
            with self.subTest(series=name):
                self.assertEqual(polyline_points(groups[name], "p50"), count)
                markers = [e for e in groups[name] if e.get("class") == "marker"]
                self.assertEqual(len(markers), count)
                self.assertIsNone(polyline_points(groups[name], "p99"))

    def test_points_sorted_by_nodes(self):
        line = next(e for e in series_groups(self.root)["sequential create"].iter(SVG + "polyline"))
        xs = [float(point.split(",")[0]) for point in line.get("points").split()]
        self.assertEqual(xs, sorted(xs))

    def test_sequential_is_dashed(self):
        groups = series_groups(self.root)
        self.assertIsNotNone(groups["sequential create"].find(SVG + "polyline").get("stroke-dasharray"))
        self.assertIsNone(groups["strict create"].find(SVG + "polyline").get("stroke-dasharray"))

    def test_decade_tick_labels(self):
        self.assertEqual(texts(self.root, "tick-x"), ["1", "10", "100", "1000"])
        self.assertEqual(texts(self.root, "tick-y"), ["10", "100", "1000", "10000"])


class OptionsAndEdgeCasesTest(unittest.TestCase):
    """Options, file input and output, and unusual but valid input."""

    def test_ticks_only_for_decades_of_the_data(self):
        root = plot(row(10, "strict", "create", 20.0) + "\n" + row(100, "strict", "create", 80.0) + "\n")
        self.assertEqual(texts(root, "tick-x"), ["10", "100"])
        self.assertEqual(texts(root, "tick-y"), ["10", "100"])

    def test_single_point_series_draws_only_a_marker(self):
        root = plot(row(1, "fast", "delete", 5.0) + "\n")
        group = series_groups(root)["fast delete"]
        self.assertIsNone(polyline_points(group, "p50"))
        self.assertEqual(len([e for e in group if e.get("class") == "marker"]), 1)
        self.assertEqual(texts(root, "tick-x"), ["1", "10"])
        self.assertEqual(texts(root, "tick-y"), ["1", "10"])

    def test_p99_lines(self):
        root = plot(SAMPLE, "--p99")
        groups = series_groups(root)
        for name, count in SAMPLE_COUNTS.items():
            with self.subTest(series=name):
                self.assertEqual(polyline_points(groups[name], "p99"), count)
        legend = [g.find(SVG + "text").text for g in root.iter(SVG + "g") if g.get("class") == "legend-entry"]
        self.assertEqual(len(legend), len(SAMPLE_COUNTS) + 1)

    def test_title_and_names_are_escaped(self):
        root = plot(row(5, "a<b>&c", "create", 12.0) + "\n", "--title", 'x < y & "z"')
        self.assertEqual(texts(root, "title"), ['x < y & "z"'])
        self.assertEqual(list(series_groups(root)), ["a<b>&c create"])

    def test_file_input_and_output_file(self):
        with tempfile.TemporaryDirectory() as directory:
            source = os.path.join(directory, "latency.jsonl")
            target = os.path.join(directory, "latency.svg")
            with open(source, "w", encoding="utf-8") as handle:
                handle.write(SAMPLE)
            result = run("", source, "--output", target)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, "")
            root = ET.parse(target).getroot()
        self.assertEqual(set(series_groups(root)), set(SAMPLE_COUNTS))

    def test_help_explains_input(self):
        result = run("", "--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("p50_ms", result.stdout)
        self.assertIn("--p99", result.stdout)


class InvalidInputTest(unittest.TestCase):
    """Invalid input: exit status 2 and a message on stderr naming the line."""

    def assert_fails(self, stdin_text, *fragments, args=()):
        result = run(stdin_text, "-", *args)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stdout, "")
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)

    def test_bad_json_line(self):
        text = row(3, "strict", "create", 15.6) + "\n\n" + '{"nodes": 3, "client": \n'
        self.assert_fails(text, "line 3", "not valid JSON")

    def test_missing_field(self):
        line = json.loads(row(3, "strict", "create", 15.6))
        del line["round_trips"]
        self.assert_fails(row(3, "fast", "create", 10.0) + "\n" + json.dumps(line) + "\n",
                          "line 2", "round_trips")

    def test_zero_latency(self):
        self.assert_fails(row(3, "strict", "create", 0) + "\n", "line 1", "log axis")

    def test_negative_latency(self):
        text = row(3, "strict", "create", 15.6) + "\n" + row(10, "strict", "create", -1.5) + "\n"
        self.assert_fails(text, "line 2", "log axis")

    def test_non_positive_p99_with_p99_flag(self):
        self.assert_fails(row(3, "strict", "create", 15.6, p99=0) + "\n", "line 1", "p99_ms",
                          args=("--p99",))

    def test_not_an_object(self):
        self.assert_fails("[1, 2]\n", "line 1")

    def test_empty_input(self):
        self.assert_fails("", "no rows")

    def test_only_blank_lines(self):
        self.assert_fails("\n   \n\n", "no rows")


if __name__ == "__main__":
    unittest.main()
