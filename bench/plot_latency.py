#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Plot saga latency against the number of nodes as an SVG chart.

Reads the JSON-lines output of `cluster-bench latency --output json` and draws p50 latency
against N, both axes logarithmic, one line per (client, operation) series. Standard library
only.
"""

import argparse
import json
import math
import sys
from xml.sax.saxutils import escape

FIELDS = ("nodes", "client", "operation", "p50_ms", "p99_ms", "round_trips")
DEFAULT_TITLE = "Saga latency against the number of nodes"

WIDTH, HEIGHT = 800, 500
MARGIN_LEFT, MARGIN_TOP, MARGIN_BOTTOM = 76, 52, 60
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

# Okabe-Ito colours, which stay distinct under the common forms of colour blindness:
# a dark and a light shade per client, for create and delete.
CLIENT_ORDER = ("strict", "fast", "sequential")
CLIENT_COLOURS = {
    "strict": ("#0072B2", "#56B4E9"),
    "fast": ("#D55E00", "#E69F00"),
    "sequential": ("#000000", "#808080"),
}
SPARE_COLOURS = ("#009E73", "#CC79A7", "#8B6F00", "#6A3D9A")
OPERATION_ORDER = ("create", "delete")
SEQUENTIAL_DASH = "8 4"
P99_DASH = "3 3"

HELP_EPILOG = """\
input:
  One JSON object per line, as written by `cluster-bench latency --output json`:
    {"nodes":100,"client":"strict","operation":"create","p50_ms":27.3,"p99_ms":32.8,"round_trips":5.5}
  Every field is required: nodes (positive integer), client and operation (strings),
  p50_ms, p99_ms and round_trips (numbers). Blank lines are ignored. Each (client,
  operation) pair is one series, e.g. "strict create". p50_ms (and p99_ms with --p99) must
  be positive, as latencies are drawn on a logarithmic axis.

exit status:
  0 on success, 2 on a usage error or invalid input (the message names the line).

example:
  cluster-bench latency --output json --nodes 3,10,100 | %(prog)s - --output latency.svg
"""


class InputError(Exception):
    """Raised when the input cannot be plotted; the message says why and where."""


def parse_rows(lines, check_p99=False):
    """Parse JSON lines into a list of row dicts, validating every field.

    Blank lines are skipped. Raises InputError naming the (1-based) line number of the first
    invalid line, or saying there are no rows at all. p99_ms must be positive only when it is
    to be plotted (check_p99).
    """
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            raise InputError(f"line {number}: not valid JSON ({error})") from None
        if not isinstance(row, dict):
            raise InputError(f"line {number}: not a JSON object")
        for field in FIELDS:
            if field not in row:
                raise InputError(f"line {number}: missing field '{field}'")
        nodes = row["nodes"]
        if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 1:
            raise InputError(f"line {number}: nodes must be a positive integer, not {nodes!r}")
        for field in ("client", "operation"):
            if not isinstance(row[field], str) or not row[field]:
                raise InputError(f"line {number}: {field} must be a non-empty string")
        for field in ("p50_ms", "p99_ms", "round_trips"):
            value = row[field]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"line {number}: {field} must be a finite number, not {value!r}")
        for field in ("p50_ms", "p99_ms") if check_p99 else ("p50_ms",):
            if row[field] <= 0:
                raise InputError(
                    f"line {number}: {field} is {row[field]}, which cannot be plotted on a log axis"
                )
        rows.append(row)
    if not rows:
        raise InputError("no rows in the input")
    return rows


def group_series(rows):
    """Group rows into series keyed by (client, operation), each sorted by nodes.

    Returns a list of (key, rows) pairs: known clients first (strict, fast, sequential), then
    others in order of appearance; within a client, create before delete before the rest.
    """
    series = {}
    for row in rows:
        series.setdefault((row["client"], row["operation"]), []).append(row)
    first_seen = {key: index for index, key in enumerate(series)}
    client_seen = {}
    for client, _ in series:
        client_seen.setdefault(client, len(client_seen))

    def rank(order, name):
        return order.index(name) if name in order else len(order)

    def sort_key(key):
        client, operation = key
        return (rank(CLIENT_ORDER, client), client_seen[client],
                rank(OPERATION_ORDER, operation), first_seen[key])

    return [(key, sorted(series[key], key=lambda row: row["nodes"]))
            for key in sorted(series, key=sort_key)]


def series_styles(keys):
    """Return a style dict (colour, dash, marker) per series key."""
    styles = {}
    spare = 0
    for client, operation in keys:
        pair = CLIENT_COLOURS.get(client)
        if pair is not None and operation in OPERATION_ORDER:
            colour = pair[OPERATION_ORDER.index(operation)]
        else:
            colour = SPARE_COLOURS[spare % len(SPARE_COLOURS)]
            spare += 1
        styles[(client, operation)] = {
            "colour": colour,
            "dash": SEQUENTIAL_DASH if client == "sequential" else None,
            "marker": "square" if operation == "delete" else "circle",
        }
    return styles


def decade_range(values):
    """Return (low, high) whole decade exponents enclosing all (positive) values."""
    low = math.floor(math.log10(min(values)))
    high = math.ceil(math.log10(max(values)))
    return (low, high) if high > low else (low, low + 1)


def decade_label(exponent):
    """Format 10**exponent as a tick label: 1, 10, 1000, or 0.1 below one."""
    return str(10 ** exponent) if exponent >= 0 else f"{10.0 ** exponent:g}"


def fmt(value):
    """Format an SVG coordinate."""
    return f"{value:.1f}"


def marker_svg(shape, x, y, colour, size=4.5, hollow=False, css_class="marker"):
    """Return the SVG element of a point marker (circle or square) centred on (x, y)."""
    fill, stroke = ("#ffffff", colour) if hollow else (colour, "#ffffff")
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="1"'
    if shape == "square":
        side = size * 1.8
        return (f'<rect class="{css_class}" x="{fmt(x - side / 2)}" y="{fmt(y - side / 2)}" '
                f'width="{fmt(side)}" height="{fmt(side)}" {paint}/>')
    return f'<circle class="{css_class}" cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(size)}" {paint}/>'


def line_svg(css_class, points, colour, width, dash):
    """Return an SVG polyline through points, or '' when there are fewer than two."""
    if len(points) < 2:
        return ""
    coords = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<polyline class="{css_class}" points="{coords}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}"{dash_attr} stroke-linejoin="round"/>')


def render_svg(series, title, show_p99=False):
    """Render the grouped series as a standalone SVG document (a string)."""
    names = [f"{client} {operation}" for (client, operation), _ in series]
    styles = series_styles([key for key, _ in series])
    legend_width = min(300, max(130, 48 + 7.5 * max(len(name) for name in names)))
    plot_left, plot_top = MARGIN_LEFT, MARGIN_TOP
    plot_right = WIDTH - legend_width - 24
    plot_bottom = HEIGHT - MARGIN_BOTTOM

    all_rows = [row for _, rows in series for row in rows]
    latencies = [row["p50_ms"] for row in all_rows]
    if show_p99:
        latencies += [row["p99_ms"] for row in all_rows]
    x_low, x_high = decade_range([row["nodes"] for row in all_rows])
    y_low, y_high = decade_range(latencies)

    def x_of(nodes):
        share = (math.log10(nodes) - x_low) / (x_high - x_low)
        return plot_left + share * (plot_right - plot_left)

    def y_of(ms):
        share = (math.log10(ms) - y_low) / (y_high - y_low)
        return plot_bottom - share * (plot_bottom - plot_top)

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}" font-size="13" fill="#222222">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]

    # Gridlines: faint ones at 2..9 within each decade, under stronger ones at the decades.
    minor, major = [], []
    for low, high, to_pixel, vertical in ((x_low, x_high, x_of, True), (y_low, y_high, y_of, False)):
        for exponent in range(low, high + 1):
            for step in (1,) if exponent == high else range(1, 10):
                pos = fmt(to_pixel(step * 10.0 ** exponent))
                if vertical:
                    line = f'x1="{pos}" y1="{plot_top}" x2="{pos}" y2="{plot_bottom}"'
                else:
                    line = f'x1="{plot_left}" y1="{pos}" x2="{fmt(plot_right)}" y2="{pos}"'
                (major if step == 1 else minor).append(f"<line {line}/>")
    out.append('<g class="grid-minor" stroke="#ececec">' + "".join(minor) + "</g>")
    out.append('<g class="grid-major" stroke="#c8c8c8">' + "".join(major) + "</g>")
    out.append(f'<rect x="{plot_left}" y="{plot_top}" width="{fmt(plot_right - plot_left)}" '
               f'height="{plot_bottom - plot_top}" fill="none" stroke="#666666"/>')

    for exponent in range(x_low, x_high + 1):
        out.append(f'<text class="tick-x" x="{fmt(x_of(10.0 ** exponent))}" y="{plot_bottom + 20}" '
                   f'text-anchor="middle">{decade_label(exponent)}</text>')
    for exponent in range(y_low, y_high + 1):
        out.append(f'<text class="tick-y" x="{plot_left - 8}" y="{fmt(y_of(10.0 ** exponent))}" '
                   f'dy="0.35em" text-anchor="end">{decade_label(exponent)}</text>')

    centre_x, centre_y = (plot_left + plot_right) / 2, (plot_top + plot_bottom) / 2
    y_title = "p50 and p99 latency (ms)" if show_p99 else "p50 latency (ms)"
    out += [
        f'<text class="axis-title" x="{fmt(centre_x)}" y="{HEIGHT - 18}" text-anchor="middle" '
        f'font-size="14">nodes (N)</text>',
        f'<text class="axis-title" transform="translate(22 {fmt(centre_y)}) rotate(-90)" '
        f'text-anchor="middle" font-size="14">{y_title}</text>',
        f'<text class="title" x="{WIDTH / 2:.1f}" y="30" text-anchor="middle" font-size="17" '
        f'font-weight="bold">{escape(title)}</text>',
    ]

    for name, (key, rows) in zip(names, series):
        style = styles[key]
        out.append(f'<g class="series"><title>{escape(name)}</title>')
        if show_p99:
            p99 = [(x_of(row["nodes"]), y_of(row["p99_ms"])) for row in rows]
            out.append(line_svg("p99", p99, style["colour"], 1.2, P99_DASH))
            if len(p99) == 1:
                out.append(marker_svg(style["marker"], *p99[0], style["colour"], size=3,
                                      hollow=True, css_class="p99-marker"))
        p50 = [(x_of(row["nodes"]), y_of(row["p50_ms"])) for row in rows]
        out.append(line_svg("p50", p50, style["colour"], 2.2, style["dash"]))
        out += [marker_svg(style["marker"], x, y, style["colour"]) for x, y in p50]
        out.append("</g>")

    # The legend sits right of the plot area, so it never hides a line.
    legend_x, entry_y = plot_right + 18, plot_top + 10
    entries = [(name, styles[key], 2.2, styles[key]["dash"]) for name, (key, _) in zip(names, series)]
    if show_p99:
        entries.append(("p99 (thin dashed)", {"colour": "#555555", "marker": None}, 1.2, P99_DASH))
    out.append('<g class="legend">')
    for name, style, width, dash in entries:
        sample = [(legend_x, entry_y), (legend_x + 30, entry_y)]
        out.append('<g class="legend-entry">')
        out.append(line_svg("legend-line", sample, style["colour"], width, dash))
        if style["marker"]:
            out.append(marker_svg(style["marker"], legend_x + 15, entry_y, style["colour"],
                                  css_class="legend-marker"))
        out.append(f'<text x="{fmt(legend_x + 38)}" y="{fmt(entry_y)}" dy="0.35em">{escape(name)}</text>')
        out.append("</g>")
        entry_y += 22
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(part for part in out if part) + "\n"


def main(argv=None):
    """Command-line entry point: parse arguments, read rows, write the SVG."""
    parser = argparse.ArgumentParser(
        description="Draw saga p50 latency against the number of nodes (log-log) as an SVG "
                    "chart, from the JSON-lines output of `cluster-bench latency --output json`.",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", help="JSON-lines file to read, or - for standard input")
    parser.add_argument("--output", "-o", metavar="FILE", default="-",
                        help="SVG file to write (default: standard output)")
    parser.add_argument("--title", metavar="TEXT", default=DEFAULT_TITLE,
                        help=f'chart title (default: "{DEFAULT_TITLE}")')
    parser.add_argument("--p99", action="store_true",
                        help="also draw each series' p99 latency as a thin dashed line")
    args = parser.parse_args(argv)

    try:
        if args.input == "-":
            rows = parse_rows(sys.stdin, check_p99=args.p99)
        else:
            with open(args.input, encoding="utf-8") as source:
                rows = parse_rows(source, check_p99=args.p99)
        svg = render_svg(group_series(rows), args.title, show_p99=args.p99)
        if args.output == "-":
            sys.stdout.write(svg)
        else:
            with open(args.output, "w", encoding="utf-8") as target:
                target.write(svg)
    except (InputError, OSError, UnicodeDecodeError) as error:
        where = f"{args.input}: " if args.input != "-" and isinstance(error, InputError) else ""
        parser.exit(2, f"{parser.prog}: error: {where}{error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
