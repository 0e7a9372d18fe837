#!/usr/bin/env python3
"""Open rendered notebook HTML in headless Chromium and check the charts drew.

Usage: check_html.py [--screenshots DIR] FILE.html...

For each page: every huntbook chart div (class hb-chart) must have become a
plotly graph (class js-plotly-plot) with SVG inside, no chart may show the
"plotly.js is not loaded" message, and the console must show no script errors.
A screenshot of each page is saved to DIR. No network is used: Chromium runs
with background networking off and the pages carry their own scripts.
Exit status 1 when any page fails; the last line is 'N passed, N failed'.
"""
import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", "--mute-audio"]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run(browser, args, timeout=120):
    with tempfile.TemporaryDirectory() as profile:
        cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def check(browser, page, shots):
    url = page.resolve().as_uri()
    dom = run(browser, ["--virtual-time-budget=20000", "--enable-logging=stderr", "--v=0", "--dump-dom", url])
    html = dom.stdout
    problems = []
    charts = len(re.findall(r'class="hb-chart[" ]', html))
    drawn = len(re.findall(r'class="hb-chart[^"]*js-plotly-plot', html))
    svgs = html.count('class="main-svg"')
    if charts != drawn:
        problems.append(f"{charts} charts, {drawn} drawn by plotly")
    if charts and svgs == 0:
        problems.append("no plotly SVG in the page")
    # the message as a chart's text (the script that writes it also holds it)
    if re.search(r'class="hb-chart[^"]*"[^>]*>plotly\.js is not loaded', html):
        problems.append("a chart says plotly.js is not loaded")
    errors = [l for l in dom.stderr.splitlines() if "CONSOLE" in l and re.search(r"Uncaught|Error", l)]
    if errors:
        problems.append("console errors: " + " | ".join(e[-200:] for e in errors[:3]))
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / (page.stem + ".png")
    run(browser, ["--virtual-time-budget=20000", "--window-size=1280,3000", f"--screenshot={shot}", url])
    return charts, svgs, problems, shot


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pages", nargs="+", type=Path)
    ap.add_argument("--screenshots", type=Path, default=Path("target/screenshots"))
    a = ap.parse_args()
    browser = chromium()
    if not browser:
        print("check_html: Chromium not installed; skipping the browser check", file=sys.stderr)
        return 0
    passed = failed = 0
    for page in a.pages:
        charts, svgs, problems, shot = check(browser, page, a.screenshots)
        status = "ok" if not problems else "FAILED " + "; ".join(problems)
        print(f"{page.name}: {charts} charts, {svgs} plotly SVGs, screenshot {shot}: {status}")
        passed, failed = (passed + 1, failed) if not problems else (passed, failed + 1)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
