"""Read a parkit results file (HDF5, schema versions 1 to 5) into pandas DataFrames.

    import parkit_results
    r = parkit_results.read("study.h5")
    r.runs                                   # one row per kernel run
    r.reps.groupby(["kernel", "model", "threads"])["seconds"].median()
    r.provenance["jobs"]["job-0000"]["text"]["cpu_model"]

Installed beside the `parkit` binary (bin/parkit_results.py) and kept in results/ of the
source tree; `sys.path.insert(0, <that directory>)` makes it importable. It needs h5py, numpy
and pandas (Debian: python3-h5py python3-numpy python3-pandas, which belong to /usr/bin/python3).
The layout it reads is results/SCHEMA.md. A part a file's version lacks (I/O runs before v2,
hazard runs before v3, interference before v4) reads as an empty DataFrame with the columns it
would have, so code written for today's files runs on old ones.
"""
from dataclasses import dataclass, field

import h5py
import numpy as np
import pandas as pd

SCHEMA = "parkit.results"
VERSIONS = range(1, 6)  # the schema versions this module reads

# Columns of each frame, also when a file has none of those rows.
RUN_KEYS = ["run", "job", "kernel", "model", "scaling", "n_global", "n_per_rank", "ranks",
            "threads"]
REP_COLUMNS = RUN_KEYS + ["rep", "seconds", "outlier", "disturbed"]
IO_KEYS = ["io_run", "job", "driver", "connections", "requests", "concurrency", "pool_threads",
           "timeout_ms"]
IO_REQUEST_COLUMNS = IO_KEYS + ["rep", "request", "path", "latency_s", "outcome", "http_status"]
HAZARD_KEYS = ["hazard_run", "job", "scenario", "variant", "runtime", "threads"]
HAZARD_REP_COLUMNS = HAZARD_KEYS + ["rep", "seconds", "expected", "observed", "anomalies"]
INTERFERENCE_COLUMNS = RUN_KEYS + ["rep", "rank", "worker", "run_delay_s",
                                   "involuntary_switches", "migrations"]


@dataclass
class Results:
    """One file's contents. Every frame has one row per thing named; text is str."""
    path: str
    schema_version: int
    runs: pd.DataFrame          # kernel runs: attributes (n, times, rates, verdicts, ...)
    reps: pd.DataFrame          # kernel runs' timed reps, long: one row per (run, rep)
    interference: pd.DataFrame  # one row per (run, rep, worker); empty before v4
    io: pd.DataFrame            # I/O runs (v2+)
    io_requests: pd.DataFrame   # one row per (I/O run, rep, request)
    hazards: pd.DataFrame       # hazard runs (v3+)
    hazard_reps: pd.DataFrame   # one row per (hazard run, rep)
    provenance: dict = field(default_factory=dict)  # file attributes and "jobs": {id: {...}}


def _text(value):
    """h5py gives str for attributes and bytes in datasets; numpy scalars become Python ones."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_text(v) for v in value.tolist()]
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, h5py.Empty):
        return []
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(obj):
    return {k: _text(v) for k, v in obj.attrs.items()}


def _runs(f):
    runs, reps, interference = [], [], []
    group = f.get("runs")
    for name in sorted(group) if group is not None else []:
        g = group[name]
        a = _attrs(g)
        a["run"] = name
        a.setdefault("interference", "not recorded")
        keys = [a.get(k) for k in RUN_KEYS]
        seconds = g["rep_seconds"][()]
        outliers = g["outliers"][()] if "outliers" in g else np.zeros(len(seconds), bool)
        recorded = "interference" in g
        disturbed = (g["interference/disturbed"][()] if recorded
                     else np.zeros(len(seconds), bool))
        for rep, s in enumerate(seconds):
            reps.append(keys + [rep, float(s), bool(outliers[rep]), bool(disturbed[rep])])
        if recorded:
            delay = g["interference/run_delay"][()]
            switches = g["interference/involuntary_switches"][()]
            moves = g["interference/migrations"][()]
            threads = int(a["threads"])
            for rep in range(delay.shape[0]):
                for worker in range(delay.shape[1]):
                    interference.append(keys + [rep, worker // threads, worker,
                                                float(delay[rep][worker]),
                                                int(switches[rep][worker]),
                                                int(moves[rep][worker])])
        a["disturbed_reps"] = int(disturbed.sum()) if recorded else -1
        runs.append(a)
    frame = pd.DataFrame(runs)
    if frame.empty:
        frame = pd.DataFrame(columns=RUN_KEYS + ["interference", "disturbed_reps"])
    else:  # the key columns first, in a fixed order
        frame = frame[RUN_KEYS + [c for c in frame.columns if c not in RUN_KEYS]]
    return (frame, pd.DataFrame(reps, columns=REP_COLUMNS), pd.DataFrame(interference, columns=INTERFERENCE_COLUMNS))


def _io(f):
    runs, requests = [], []
    group = f.get("io_runs")
    for name in sorted(group) if group is not None else []:
        g = group[name]
        a = _attrs(g)
        a["io_run"] = name
        keys = [a.get(k) for k in IO_KEYS]
        paths = _text(g["paths"][()])
        names = _text(g["outcome"].attrs["names"])
        latency, outcome, status = (g["latency_seconds"][()], g["outcome"][()],
                                    g["http_status"][()])
        for rep in range(latency.shape[0]):
            for i in range(latency.shape[1]):
                requests.append(keys + [rep, i, paths[i % len(paths)], float(latency[rep][i]),
                                        names[int(outcome[rep][i])], int(status[rep][i])])
        runs.append(a)
    frame = pd.DataFrame(runs) if runs else pd.DataFrame(columns=IO_KEYS)
    if runs:
        frame = frame[IO_KEYS + [c for c in frame.columns if c not in IO_KEYS]]
    return frame, pd.DataFrame(requests, columns=IO_REQUEST_COLUMNS)


def _hazards(f):
    runs, reps = [], []
    group = f.get("hazard_runs")
    for name in sorted(group) if group is not None else []:
        g = group[name]
        a = _attrs(g)
        a["hazard_run"] = name
        keys = [a.get(k) for k in HAZARD_KEYS]
        seconds, expected = g["rep_seconds"][()], g["expected"][()]
        observed, anomalies = g["observed"][()], g["anomalies"][()]
        for rep in range(len(seconds)):
            reps.append(keys + [rep, float(seconds[rep]), int(expected[rep]),
                                int(observed[rep]), int(anomalies[rep])])
        runs.append(a)
    frame = pd.DataFrame(runs) if runs else pd.DataFrame(columns=HAZARD_KEYS)
    if runs:
        frame = frame[HAZARD_KEYS + [c for c in frame.columns if c not in HAZARD_KEYS]]
    return frame, pd.DataFrame(reps, columns=HAZARD_REP_COLUMNS)


def _provenance(f):
    prov = {k: v for k, v in _attrs(f).items()}
    jobs = {}
    for name in sorted(f.get("jobs", {})):
        g = f["jobs"][name]
        attrs = _attrs(g)
        job = {"text": {k: v for k, v in attrs.items() if isinstance(v, str)},
               "numbers": {k: v for k, v in attrs.items() if isinstance(v, (int, float))},
               "hosts": attrs.get("hosts", [])}
        for part in ("environment", "openmp_icvs", "context"):
            job[part] = _attrs(g[part]) if part in g else {}
        jobs[name] = job
    prov["jobs"] = jobs
    return prov


def read(path):
    """Reads the parkit results file at `path` into a Results.

    Raises OSError when the file cannot be opened as HDF5 and ValueError when it is not a
    parkit results file or has a schema version this module does not read; both name the file.
    """
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise OSError(f"{path}: not a readable HDF5 file ({e})") from None
    with f:
        schema = _text(f.attrs.get("schema", ""))
        if schema != SCHEMA:
            raise ValueError(f"{path}: not a parkit results file (schema {schema!r})")
        version = int(f.attrs["schema_version"])
        if version not in VERSIONS:
            raise ValueError(f"{path}: parkit results schema version {version}, this reader "
                             f"reads {VERSIONS.start} to {VERSIONS.stop - 1}")
        runs, reps, interference = _runs(f)
        io, io_requests = _io(f)
        hazards, hazard_reps = _hazards(f)
        return Results(path=path, schema_version=version, runs=runs, reps=reps,
                       interference=interference, io=io, io_requests=io_requests,
                       hazards=hazards, hazard_reps=hazard_reps, provenance=_provenance(f))
