#!/usr/bin/env python3
"""Execute huntbook's notebooks headlessly and report how they went.

Usage: run_notebooks.py [--out DIR] [--no-html] [--kernel NAME] NOTEBOOK_OR_DIR...

Each notebook runs in a fresh kernel (cwd = the notebook's folder). The
executed notebook and, unless --no-html, an HTML rendering are written to
--out. A table (notebook, cells, seconds, first output, median cell, status)
is printed and written to DIR/summary.json. Exit status 1 when any cell of
any notebook errored.
"""
import argparse
import datetime as dt
import json
import re
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def parse_ts(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def cell_seconds(cell):
    ex = cell.get("metadata", {}).get("execution", {})
    start, end = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
    if not start or not end:
        return None
    return (parse_ts(end) - parse_ts(start)).total_seconds()


def cell_end(cell):
    end = cell.get("metadata", {}).get("execution", {}).get("shell.execute_reply")
    return parse_ts(end) if end else None


def error_outputs(nb):
    """(cell index, message) of every error output left in an executed notebook."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append((i, f"{out.get('ename', '')}: {out.get('evalue', '')}".strip()))
    return found


def rich_types():
    """Names of the types that implement huntbook's NotebookDisplay (from the source)."""
    src = Path(__file__).resolve().parent.parent / "src"
    names = set()
    for f in src.rglob("*.rs"):
        names.update(re.findall(r"impl\s+(?:[\w:]*::)?NotebookDisplay\s+for\s+(\w+)", f.read_text(encoding="utf-8")))
    names.discard("DataFrame")
    names.discard("Series")
    return names


def debug_fallbacks(nb, types):
    """Cells whose rich result fell back to Debug text: evcxr could not compile
    `(expr).evcxr_display()` (typically a cell variable moved into the final
    expression), so the analyst would see a struct dump instead of the view."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if out.get("output_type") == "execute_result" and set(data) == {"text/plain"}:
                text = "".join(data["text/plain"]) if isinstance(data["text/plain"], list) else data["text/plain"]
                m = re.match(r"(\w+) \{", text)
                if m and m.group(1) in types:
                    found.append((i, f"{m.group(1)} shown as Debug text, not as its notebook view"))
    return found


def run_one(path, out_dir, kernel, html, timeout, types):
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        startup_timeout=180,
        record_timing=True,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.monotonic()
    status, detail = "ok", ""
    try:
        client.execute()
    except CellExecutionError as exc:
        status, detail = "FAILED", str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else "cell error"
    except (CellTimeoutError, DeadKernelError, RuntimeError) as exc:
        status, detail = "FAILED", f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.monotonic() - t0
    errors = error_outputs(nb) + debug_fallbacks(nb, types)
    if errors and status == "ok":
        status, detail = "FAILED", f"cell {errors[0][0]}: {errors[0][1]}"
    durations = [d for d in (cell_seconds(c) for c in code_cells) if d is not None]
    first_output = None
    for c in code_cells:
        if c.get("outputs") and cell_end(c):
            first_output = (cell_end(c) - started).total_seconds()
            break
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / path.name)
    if html:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
        (out_dir / path.with_suffix(".html").name).write_text(body, encoding="utf-8")
    return {
        "notebook": path.name,
        "cells": len(code_cells),
        "seconds": round(seconds, 1),
        "first_output_s": round(first_output, 1) if first_output is not None else None,
        "median_cell_s": round(statistics.median(durations[1:]), 2) if len(durations) > 1 else None,
        "status": status,
        "detail": detail,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=Path("target/notebooks"))
    ap.add_argument("--kernel", default="huntbook-rust")
    ap.add_argument("--no-html", action="store_true")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds a cell may take (the first may build huntbook)")
    args = ap.parse_args()

    notebooks = []
    for p in args.paths:
        notebooks.extend(sorted(p.glob("*.ipynb")) if p.is_dir() else [p])
    if not notebooks:
        print("no notebooks found in " + " ".join(map(str, args.paths)), file=sys.stderr)
        return 1
    rows = []
    types = rich_types()
    for path in notebooks:
        print(f"running {path} ...", file=sys.stderr, flush=True)
        rows.append(run_one(path.resolve(), args.out, args.kernel, not args.no_html, args.timeout, types))
        r = rows[-1]
        print(f"  {r['status']} in {r['seconds']} s {r['detail']}", file=sys.stderr, flush=True)

    header = f"{'notebook':<40} {'cells':>5} {'seconds':>8} {'first output s':>14} {'median cell s':>13}  status"
    print(header)
    print("-" * len(header))
    for r in rows:
        fo = "-" if r["first_output_s"] is None else r["first_output_s"]
        md = "-" if r["median_cell_s"] is None else r["median_cell_s"]
        print(f"{r['notebook']:<40} {r['cells']:>5} {r['seconds']:>8} {fo:>14} {md:>13}  {r['status']} {r['detail']}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(rows, indent=2) + "\n")
    failed = [r for r in rows if r["status"] != "ok"]
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
