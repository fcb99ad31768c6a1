#!/usr/bin/python3
"""Plot speedup and efficiency against workers from parkit results files.

    results/plot_scaling.py FILES... -o scaling.png [--parkit PATH] [--title TEXT]

This script computes nothing: it runs `parkit report --format json FILES...`
and draws what that prints. The formulas (speedup, efficiency, Karp-Flatt)
live in one place, the C++ `parkit report`. FILES are passed through as is.
The figure's caption names where the runs ran (CPU model and hosts), read
from the HDF5 files' provenance with parkit_results.py (beside this script).

Exit codes: 0 written; 2 usage error or no parkit binary; otherwise the code
of a failed `parkit report` (1 verification, 2 usage, 4 unreadable results).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import h5py
import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import NullLocator  # noqa: E402

# parkit_results.py sits beside this script, in the source tree (results/) and installed (bin/,
# where this script is parkit-plot; realpath: also through a symbolic link to it).
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
# The reader is used for the caption only. Speedup, efficiency and Karp-Flatt come from `parkit
# report`, the one place their formulas live (DESIGN.md, "Scaling analysis"): computing them again
# from parkit_results' frames would be a second copy to keep in step. What the report's JSON does
# not carry, and the files do, is where the runs ran (each job's CPU model and hosts).
import parkit_results  # noqa: E402

PROG = "plot_scaling"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKERS = "osD^v<>p"


def fail(message, code):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(code)


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of argparse's usage block
        fail(f"{message} (see --help)", 2)


def find_parkit(option):
    """--parkit, else $PARKIT, else the parkit beside this script (installed as bin/parkit-plot),
    else the checkout's build/release/parkit, else parkit on PATH."""
    explicit = option or os.environ.get("PARKIT")
    if explicit:
        found = shutil.which(explicit)
        if not found:
            fail(f"parkit binary not found or not executable: {explicit}", 2)
        return found
    here = os.path.dirname(os.path.realpath(__file__))
    found = (shutil.which(os.path.join(here, "parkit"))
             or shutil.which(os.path.join(REPO, "build", "release", "parkit"))
             or shutil.which("parkit"))
    if not found:
        fail("no parkit binary: build it, or pass --parkit PATH or set PARKIT", 2)
    return found


def run_report(parkit, files):
    try:
        proc = subprocess.run([parkit, "report", "--format", "json", *files],
                              capture_output=True, text=True)
    except OSError as e:
        fail(f"cannot run {parkit}: {e.strerror}", 2)
    sys.stderr.write(proc.stderr)  # parkit's own messages and warnings
    if proc.returncode != 0:
        sys.exit(proc.returncode if proc.returncode > 0 else 1)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        fail(f"parkit report printed invalid JSON: {e}", 1)


def where_they_ran(files):
    """'AMD EPYC on vm, node2' from the jobs of the HDF5 files (JSON files have no provenance
    to show here: they are skipped; a file parkit report accepted is readable)."""
    cpus, hosts = [], []
    for path in files:
        if not h5py.is_hdf5(path):
            continue
        for job in parkit_results.read(path).provenance["jobs"].values():
            cpu = job["text"].get("cpu_model")
            if cpu and cpu not in cpus:
                cpus.append(cpu)
            hosts += [h for h in job["hosts"] if h not in hosts]
    if not cpus and not hosts:
        return ""
    return f'{", ".join(cpus) or "unknown CPU"} on {", ".join(hosts) or "unknown hosts"}'


def plot(report, title):
    fig = Figure(figsize=(10, 4.5), dpi=100)
    ax_s, ax_e = fig.subplots(1, 2)
    workers = sorted({p["workers"] for s in report["studies"] for p in s["points"]})
    ideals = {}  # (scaling, base workers) -> drawn once
    for i, study in enumerate(report["studies"]):
        pts = study["points"]
        label = f'{study["kernel"]} / {study["model"]} ({study["scaling"]})'
        if not study["invariant_holds"]:
            label += " - invariant FAILS"
            print(f'{PROG}: warning: {label}: {study["invariant_note"]}', file=sys.stderr)
        base = pts[0]["workers"]
        ideals.setdefault((study["scaling"], base), None)
        x = [p["workers"] for p in pts]
        for ax, key in ((ax_s, "speedup"), (ax_e, "efficiency")):
            y = [p[key] for p in pts]
            line, = ax.plot(x, y, marker=MARKERS[i % len(MARKERS)], label=label if ax is ax_s else None)
            over = [(a, b) for a, b, p in zip(x, y, pts) if p["oversubscribed"]]
            bad = [(a, b) for a, b, p in zip(x, y, pts) if not p["verified"]]
            if over:
                ax.plot(*zip(*over), ls="none", marker=line.get_marker(), ms=9,
                        mfc="white", mec=line.get_color(), zorder=3)
            if bad:
                ax.plot(*zip(*bad), ls="none", marker="x", ms=11, mew=2.5, color="red", zorder=4)
    labelled = set()
    for scaling, base in ideals:
        ideal = [w / base if scaling == "strong" else 1.0 for w in workers]
        label = "ideal" if len({k[0] for k in ideals}) == 1 else f"ideal ({scaling})"
        ax_s.plot(workers, ideal, "k--" if scaling == "strong" else "k:", lw=1, zorder=1,
                  label=None if label in labelled else label)
        labelled.add(label)
    keys = [ax_e.axhline(1.0, color="k", ls="--", lw=1, label="ideal", zorder=1)]

    ax_s.set(ylabel="speedup (x, vs. fewest workers)", title="Speedup")
    ax_e.set(ylabel="parallel efficiency (fraction of ideal)", title="Efficiency")
    for ax in (ax_s, ax_e):
        if workers[-1] / workers[0] > 8:
            ax.set_xscale("log", base=2)
        ax.set_xticks(workers, [str(w) for w in workers])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("workers (ranks x threads)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    ax_s.legend(fontsize="small", loc="upper left")
    points = [p for s in report["studies"] for p in s["points"]]
    if any(p["oversubscribed"] for p in points):
        keys.append(Line2D([], [], ls="none", marker="o", mfc="white", mec="k", label="oversubscribed"))
    if any(not p["verified"] for p in points):
        keys.append(Line2D([], [], ls="none", marker="x", mew=2.5, color="red", label="not verified"))
    ax_e.legend(handles=keys, fontsize="small", loc="lower left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def save(fig, path):
    """Write to a temporary name next to PATH, then rename: never a half-written PNG."""
    tmp = os.path.join(os.path.dirname(os.path.abspath(path)),
                       f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches=None)
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        fail(f"cannot write {path}: {e.strerror}", 1)


def main():
    ap = Parser(prog="plot_scaling.py", description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", metavar="FILES", help="results files, passed to parkit report")
    ap.add_argument("-o", "--output", required=True, metavar="PNG", help="PNG file to write")
    ap.add_argument("--parkit", metavar="PATH", help="parkit binary (default: $PARKIT, the parkit "
                    "beside this script, build/release/parkit, then parkit on PATH)")
    ap.add_argument("--title", help='figure title (default: "parkit scaling" and the version)')
    args = ap.parse_args()

    report = run_report(find_parkit(args.parkit), args.files)
    if not any(s["points"] for s in report.get("studies", [])):
        fail("parkit report found no studies to plot", 1)
    report["studies"] = [s for s in report["studies"] if s["points"]]
    title = args.title or f'parkit scaling (parkit {report["parkit"]["version"]})'
    try:
        where = where_they_ran(args.files)
    except (OSError, ValueError) as e:  # parkit read it, so unlikely; the plot is still right
        print(f"{PROG}: warning: no caption of where the runs ran: {e}", file=sys.stderr)
        where = ""
    if where:
        title += f"\n{where}"
    save(plot(report, title), args.output)
    print(f"{PROG}: wrote {args.output} ({len(report['studies'])} studies)", file=sys.stderr)


if __name__ == "__main__":
    main()
