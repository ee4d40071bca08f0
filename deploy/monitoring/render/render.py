#!/usr/bin/env python3
"""Draws the Grafana dashboard's panels from a real Prometheus, as one HTML page.

Grafana cannot be installed here, so this stands in for it: every panel of
deploy/monitoring/dashboard.json is drawn from its own queries, asked of Prometheus's
query_range API over a time window, as line charts in SVG. Headless Chromium turns the
page into the PNG in docs/monitoring/ (see scenario.sh). Standard library only.

    render.py --prometheus http://127.0.0.1:9090 --start T0 --end T1 --out page.html
"""

import argparse
import html
import json
import os
import re
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
COLOURS = ["#73bf69", "#f2cc0c", "#5794f2", "#ff9830", "#f2495c", "#b877d9", "#8ab8ff",
           "#96d98d", "#ffb357", "#ca95e5"]
W, H, PAD_L, PAD_B, PAD_T = 520, 210, 62, 26, 10


def query_range(prometheus, expr, start, end, step):
    params = urllib.parse.urlencode(
        {"query": expr, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(f"{prometheus}/api/v1/query_range?{params}") as reply:
        body = json.load(reply)
    if body.get("status") != "success":
        raise SystemExit(f"query failed: {expr}: {body}")
    return body["data"]["result"]


def legend(template, labels):
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), template)


def fmt(value, unit):
    if unit == "s":
        if value >= 60:
            return f"{value / 60:.1f} min"
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"
    if unit == "percentunit":
        return f"{value * 100:.1f} %"
    suffix = "/s" if unit in ("reqps", "ops") else ""
    if value >= 1000:
        return f"{value / 1000:.1f}k{suffix}"
    return f"{value:.3g}{suffix}"


def chart(series, unit, start, end):
    """An SVG line chart of [(name, [(t, v)])]."""
    values = [v for _, points in series for _, v in points]
    top = max(values + [0.0]) or 1.0
    top *= 1.1
    plot_w, plot_h = W - PAD_L - 10, H - PAD_B - PAD_T

    def x(t):
        return PAD_L + (t - start) / (end - start) * plot_w

    def y(v):
        return PAD_T + plot_h - v / top * plot_h

    parts = [f'<svg viewBox="0 0 {W} {H}" width="{W}" height="{H}">']
    for i in range(5):
        v = top * i / 4
        parts.append(f'<line x1="{PAD_L}" x2="{W - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                     'stroke="#2c3235"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
                     f'{html.escape(fmt(v, unit))}</text>')
    minutes = int((end - start) // 60)
    for m in range(0, minutes + 1):
        t = start + m * 60
        parts.append(f'<text x="{x(t):.1f}" y="{H - 8}" text-anchor="middle">{m} min</text>')
    for n, (_, points) in enumerate(series):
        path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
        colour = COLOURS[n % len(COLOURS)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" '
                     f'points="{path}"/>')
    parts.append("</svg>")
    return "".join(parts)


def panel_html(panel, prometheus, start, end, step):
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
    series = []
    for target in panel["targets"]:
        for result in query_range(prometheus, target["expr"], start, end, step):
            points = [(float(t), float(v)) for t, v in result["values"]
                      if v not in ("NaN", "+Inf", "-Inf")]
            name = legend(target.get("legendFormat", ""), result["metric"]) or target["expr"]
            if points:
                series.append((name, points))
    series.sort(key=lambda s: s[0])
    items = "".join(
        f'<span><i style="background:{COLOURS[n % len(COLOURS)]}"></i>'
        f'{html.escape(name)}</span>' for n, (name, _) in enumerate(series[:8]))
    more = f"<span>and {len(series) - 8} more</span>" if len(series) > 8 else ""
    empty = "" if series else '<p class="empty">no data in this window</p>'
    return (f'<section><h2>{html.escape(panel["title"])}</h2>{empty}'
            f'{chart(series, unit, start, end)}<div class="legend">{items}{more}</div>'
            "</section>")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prometheus", required=True)
    parser.add_argument("--dashboard", default=os.path.join(HERE, "..", "dashboard.json"))
    parser.add_argument("--start", type=float, required=True)
    parser.add_argument("--end", type=float, required=True)
    parser.add_argument("--step", type=float, default=5)
    parser.add_argument("--note", default="")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    with open(args.dashboard) as f:
        dashboard = json.load(f)
    panels = "".join(panel_html(p, args.prometheus, args.start, args.end, args.step)
                     for p in dashboard["panels"])
    with open(os.path.join(HERE, "page.css")) as f:
        style = f.read()
    page = (f'<!doctype html><html><head><meta charset="utf-8"><style>{style}</style>'
            f'</head><body><h1>{html.escape(dashboard["title"])}</h1>'
            f'<p class="note">{html.escape(args.note)}</p><main>{panels}</main>'
            "</body></html>")
    with open(args.out, "w") as f:
        f.write(page)


if __name__ == "__main__":
    main()
