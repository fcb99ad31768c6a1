# SPDX-License-Identifier: MIT
"""Read a parkit results file (HDF5, schema versions 1 to 5) into pandas DataFrames.

    import parkit_results
    r = parkit_results.read("study.h5")
    r.runs                                   # one row per kernel run: /table's columns + attributes
    r.reps.groupby(["kernel", "model", "threads"])["seconds"].median()
    r.io_requests.groupby(["driver", "outcome"]).size()
    r.provenance["jobs"]["job-0000"]["text"]["cpu_model"]

Installed beside the `parkit` binary (bin/parkit_results.py) and kept in results/ of the
source tree; `sys.path.insert(0, <that directory>)` makes it importable. It needs h5py, numpy
and pandas (Debian: python3-h5py python3-numpy python3-pandas, which belong to /usr/bin/python3).

The layout it reads is results/SCHEMA.md. Every frame has the same columns, with the same
dtypes, whatever the file's version and whether it has rows: a part the version lacks (I/O runs
before v2, hazard runs before v3, interference before v4) is an empty frame, and an attribute
it lacks is filled the way parkit reads it (`interference` "not recorded", `disturbed_reps` -1,
`kernel_build` None). So code written for today's files runs on old ones. Text is `str`
(h5py gives `bytes` from datasets); a string list (`warnings`, `paths`) is a tuple, so that
frames can be grouped and compared on it.
"""
import os
from dataclasses import dataclass, field

import h5py
import numpy as np
import pandas as pd

SCHEMA = "parkit.results"
VERSIONS = range(1, 6)  # the schema versions this module reads, as parkit itself does

# --- The columns of each frame, in order, with their dtypes. The summary frames (runs, io,
# hazards) start with their /table's columns, in its order, and go on with the run group's
# attributes that /table does not repeat; where both have a column, the attribute is used (the
# full text: /table's text columns are cut to their width). A newer file's extra attributes are
# kept, after these.
STR, INT, FLOAT, BOOL = object, "int64", "float64", "bool"

RUN_COLUMNS = {
    # /table
    "run": STR, "job": STR, "kernel": STR, "model": STR, "scaling": STR,
    "n_global": INT, "n_per_rank": INT, "ranks": INT, "threads": INT, "reps": INT, "warmup": INT,
    "median_s": FLOAT, "min_s": FLOAT, "mean_s": FLOAT, "max_s": FLOAT, "stddev_s": FLOAT,
    "cv": FLOAT, "imbalance": FLOAT, "gbytes_per_s": FLOAT, "gflops_per_s": FLOAT,
    "ns_per_elem": FLOAT, "percent_of_triad": FLOAT, "verified": BOOL, "oversubscribed": BOOL,
    "disturbed_reps": INT,
    # /runs/run-NNNN attributes only
    "bind": STR, "expected": STR, "observed": STR, "failed_reps": INT, "bandwidth_bound": BOOL,
    "bytes_per_elem": FLOAT, "flops_per_elem": FLOAT, "timer_resolution_s": FLOAT,
    "time_min_s": FLOAT, "time_median_s": FLOAT, "time_mean_s": FLOAT, "time_max_s": FLOAT,
    "time_stddev_s": FLOAT, "time_cv": FLOAT, "warnings": STR, "kernel_build": STR,
    "interference": STR,
}
IO_COLUMNS = {
    # /io_table
    "io_run": STR, "job": STR, "driver": STR, "requests": INT, "concurrency": INT,
    "pool_threads": INT, "timeout_ms": INT, "connections": STR, "reps": INT,
    "makespan_median_s": FLOAT, "makespan_min_s": FLOAT, "makespan_max_s": FLOAT,
    "cpu_median_s": FLOAT, "latency_p50_s": FLOAT, "latency_p90_s": FLOAT,
    "latency_p99_s": FLOAT, "latency_max_s": FLOAT, "max_in_flight": INT, "ok": INT,
    "http_error": INT, "connection_error": INT, "timeout": INT, "cancelled": INT,
    "peak_rss_bytes": INT,
    # /io_runs/io-NNNN attributes only, and its `paths` dataset
    "url": STR, "server_started": BOOL, "warmup": INT, "timer_resolution_s": FLOAT,
    "makespan_mean_s": FLOAT, "makespan_stddev_s": FLOAT, "makespan_cv": FLOAT,
    "cpu_min_s": FLOAT, "cpu_mean_s": FLOAT, "cpu_max_s": FLOAT, "cpu_stddev_s": FLOAT,
    "cpu_cv": FLOAT, "latency_mean_s": FLOAT, "latency_count": INT, "warnings": STR,
    "paths": STR,
}
HAZARD_COLUMNS = {
    # /hazard_table
    "hazard_run": STR, "job": STR, "scenario": STR, "variant": STR, "runtime": STR,
    "expected_safe": BOOL, "anomaly": STR, "threads": INT, "producers": INT, "consumers": INT,
    "capacity": INT, "ops": INT, "ops_total": INT, "reps": INT, "warmup": INT,
    "median_s": FLOAT, "min_s": FLOAT, "mean_s": FLOAT, "max_s": FLOAT, "cv": FLOAT,
    "ns_per_op": FLOAT, "ops_per_s": FLOAT, "anomalies_total": INT, "anomalies_max": INT,
    "correct": BOOL,
    # /hazard_runs/hz-NNNN attributes only
    "verdict": STR, "time_min_s": FLOAT, "time_median_s": FLOAT, "time_mean_s": FLOAT,
    "time_max_s": FLOAT, "time_stddev_s": FLOAT, "time_cv": FLOAT,
    "timer_resolution_s": FLOAT, "warnings": STR,
}
# What parkit reads an attribute an older version lacks as (SCHEMA.md's version table).
MISSING = {"interference": "not recorded", "disturbed_reps": -1, "kernel_build": None}

# The long frames: one row per rep (request, worker), with the keys to group by without a join.
RUN_KEYS = ["run", "job", "kernel", "model", "scaling", "n_global", "n_per_rank", "ranks",
            "threads"]
REP_COLUMNS = {**{k: RUN_COLUMNS[k] for k in RUN_KEYS},
               "rep": INT, "seconds": FLOAT, "outlier": BOOL, "disturbed": BOOL}
INTERFERENCE_COLUMNS = {**{k: RUN_COLUMNS[k] for k in RUN_KEYS},
                        "rep": INT, "rank": INT, "worker": INT, "run_delay_s": FLOAT,
                        "involuntary_switches": INT, "migrations": INT}
IO_KEYS = ["io_run", "job", "driver", "connections", "requests", "concurrency", "pool_threads",
           "timeout_ms"]
IO_REQUEST_COLUMNS = {**{k: IO_COLUMNS[k] for k in IO_KEYS},
                      "rep": INT, "request": INT, "path": STR, "latency_s": FLOAT,
                      "outcome": STR, "http_status": INT}
HAZARD_KEYS = ["hazard_run", "job", "scenario", "variant", "runtime", "threads"]
HAZARD_REP_COLUMNS = {**{k: HAZARD_COLUMNS[k] for k in HAZARD_KEYS},
                      "rep": INT, "seconds": FLOAT, "expected": INT, "observed": INT,
                      "anomalies": INT}
OUTCOMES = ("ok", "http_error", "connection_error", "timeout", "cancelled")  # codes 0 to 4


@dataclass
class Results:
    """One file's contents (see the module's docstring and results/SCHEMA.md).

    runs, io, hazards: one row per kernel, I/O, hazard run; reps: one row per (kernel run, timed
    rep); interference: per (kernel run, rep, worker), v4+ runs where it was recorded;
    io_requests: per (I/O run, rep, request); hazard_reps: per (hazard run, rep). provenance:
    the file's root attributes (schema, schema_version, parkit_version, git_commit, created_utc)
    and "jobs": {"job-0000": {"text", "numbers", "hosts", "environment", "openmp_icvs",
    "context"}}.
    """
    path: str
    schema_version: int
    runs: pd.DataFrame
    reps: pd.DataFrame
    interference: pd.DataFrame
    io: pd.DataFrame
    io_requests: pd.DataFrame
    hazards: pd.DataFrame
    hazard_reps: pd.DataFrame
    provenance: dict = field(default_factory=dict)

    def __repr__(self):  # the frames themselves are too long for a repr
        return (f"<parkit_results.Results {self.path!r} v{self.schema_version}: "
                f"{len(self.runs)} runs ({len(self.reps)} reps), {len(self.io)} io runs "
                f"({len(self.io_requests)} requests), {len(self.hazards)} hazard runs, "
                f"{len(self.provenance.get('jobs', {}))} jobs>")


def read(path):
    """Reads the parkit results file at `path` (str or os.PathLike) into a Results.

        r = read("study.h5")
        r.reps.groupby("run")["seconds"].median()     # = r.runs["median_s"], by run

    Raises OSError when the file cannot be opened as HDF5 (missing, unreadable, truncated, not
    HDF5) and ValueError when it is HDF5 but not parkit results, has a schema version this
    module does not read, or lacks a part its version must have; both messages start with the
    file's path.
    """
    path = os.fspath(path)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise OSError(f"{path}: cannot open as HDF5 (missing, unreadable, truncated or not "
                      f"HDF5): {e}") from None
    with f:
        schema = _text(f.attrs.get("schema"))
        if schema != SCHEMA:
            raise ValueError(f'{path}: an HDF5 file, but not parkit results (no schema "{SCHEMA}")')
        if "schema_version" not in f.attrs:
            raise ValueError(f"{path}: parkit results without a schema_version")
        version = int(f.attrs["schema_version"])
        if version not in VERSIONS:
            raise ValueError(f"{path}: parkit results schema version {version}, this reader "
                             f"reads {VERSIONS.start} to {VERSIONS.stop - 1}")
        try:
            runs, reps, interference = _kernel_runs(f)
            # as parkit: I/O runs exist since version 2, hazard runs since version 3
            io, io_requests = _io_runs(f) if version >= 2 else _io_runs(None)
            hazards, hazard_reps = _hazard_runs(f) if version >= 3 else _hazard_runs(None)
            provenance = _provenance(f)
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise ValueError(f"{path}: damaged parkit results: {e}") from e
    return Results(path=path, schema_version=version, runs=runs, reps=reps,
                   interference=interference, io=io, io_requests=io_requests, hazards=hazards,
                   hazard_reps=hazard_reps, provenance=provenance)


# --- Decoding


def _text(value):
    """Python values from h5py's: bytes -> str, string arrays -> tuples, numpy scalars -> Python
    ones, an empty attribute (h5py.Empty: an empty `warnings`) -> ()."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return tuple(_text(v) for v in value.tolist())
    if isinstance(value, (list, tuple)):
        return tuple(_text(v) for v in value)
    if isinstance(value, h5py.Empty):
        return ()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(obj):
    return {k: _text(v) for k, v in obj.attrs.items()}


def _ids_in_order(group):
    """Member names in number order, as parkit reads them: "run-10000" after "run-9999"."""
    return sorted(group, key=lambda name: (len(name), name)) if group is not None else []


def _table(f, name):
    """A flat table (/table, /io_table, /hazard_table) as a frame, text decoded."""
    if f is None or name not in f:
        return pd.DataFrame()
    table = pd.DataFrame(f[name][()])
    for column in table.columns:
        if table[column].dtype.kind == "S":
            table[column] = table[column].str.decode("utf-8")
        elif table[column].dtype == object:
            table[column] = table[column].map(_text)
    return table


def _empty(columns):
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _summary_frame(rows, table, key, columns):
    """rows (one dict of attributes per run group) joined with the /table rows of the same id,
    conformed to `columns`: missing ones filled (MISSING, else NaN/None), each column its dtype,
    extra attributes of a newer file kept at the end."""
    if not rows:
        return _empty(columns)
    frame = pd.DataFrame(rows)
    if not table.empty and key in table:
        only_in_table = [c for c in table.columns if c not in frame.columns]
        frame = frame.merge(table[[key, *only_in_table]], on=key, how="left")
    for name, dtype in columns.items():
        if name not in frame:
            frame[name] = MISSING.get(name, np.nan if dtype == FLOAT else None)
        elif name in MISSING:  # a merged file: some jobs had it, older ones did not
            frame[name] = frame[name].where(frame[name].notna(), MISSING[name])
        if dtype is STR or not frame[name].isna().any():  # NaN is no int, and bool(NaN) is True
            frame[name] = frame[name].astype(dtype)
    return frame[[*columns, *(c for c in frame.columns if c not in columns)]]


class _Long:
    """Builds a long frame from per-run blocks of numpy columns, concatenated once per column.
    (Measured on 160000 requests: 0.5 s, about as fast as a Python list per row; most of it is
    the key columns' str objects. The reason is clarity: a run's datasets go in whole.)"""

    def __init__(self, columns):
        self.columns = columns
        self.parts = {name: [] for name in columns}

    def add(self, keys, **values):
        """keys: the run's key columns (one value each); values: arrays of equal length."""
        n = len(next(iter(values.values())))
        for name, value in keys.items():
            self.parts[name].append(np.full(n, value, dtype=object if self.columns[name] is STR
                                            else None))
        for name, array in values.items():
            self.parts[name].append(np.asarray(array).ravel())

    def frame(self):
        if not self.parts[next(iter(self.columns))]:
            return _empty(self.columns)
        return pd.DataFrame({name: np.concatenate(parts).astype(self.columns[name])
                             for name, parts in self.parts.items()})


# --- The parts of a file


def _kernel_runs(f):
    rows = []
    reps = _Long(REP_COLUMNS)
    interference = _Long(INTERFERENCE_COLUMNS)
    group = f.get("runs")
    for name in _ids_in_order(group):
        g = group[name]
        attrs = {"run": name, **_attrs(g)}
        rows.append(attrs)
        keys = {k: attrs[k] for k in RUN_KEYS}
        seconds = g["rep_seconds"][()]
        count = len(seconds)
        outliers = g["outliers"][()] if "outliers" in g else np.zeros(count, bool)
        recorded = "interference" in g  # v4+, when it could be read
        disturbed = g["interference/disturbed"][()] if recorded else np.zeros(count, bool)
        reps.add(keys, rep=np.arange(count), seconds=seconds, outlier=outliers,
                 disturbed=disturbed)
        if recorded:
            delay = g["interference/run_delay"][()]  # [rep][worker]
            rep_count, workers = delay.shape
            worker = np.tile(np.arange(workers), rep_count)
            # worker w of rank r is column r * threads + w (SCHEMA.md)
            interference.add(keys, rep=np.repeat(np.arange(rep_count), workers),
                             rank=worker // int(attrs["threads"]), worker=worker,
                             run_delay_s=delay,
                             involuntary_switches=g["interference/involuntary_switches"][()],
                             migrations=g["interference/migrations"][()])
    runs = _summary_frame(rows, _table(f, "table"), "run", RUN_COLUMNS)
    return runs, reps.frame(), interference.frame()


def _io_runs(f):
    rows = []
    requests = _Long(IO_REQUEST_COLUMNS)
    group = f.get("io_runs") if f is not None else None
    for name in _ids_in_order(group):
        g = group[name]
        attrs = {"io_run": name, **_attrs(g), "paths": _text(g["paths"][()])}
        rows.append(attrs)
        latency = g["latency_seconds"][()]  # [rep][request]
        rep_count, count = latency.shape
        request = np.tile(np.arange(count), rep_count)
        paths = np.array(attrs["paths"], dtype=object)
        names = np.array(_text(g["outcome"].attrs.get("names", OUTCOMES)), dtype=object)
        requests.add({k: attrs[k] for k in IO_KEYS},
                     rep=np.repeat(np.arange(rep_count), count), request=request,
                     path=paths[request % len(paths)],  # request i asks for paths[i % k]
                     latency_s=latency, outcome=names[g["outcome"][()].ravel()],
                     http_status=g["http_status"][()])
    io = _summary_frame(rows, _table(f, "io_table"), "io_run", IO_COLUMNS)
    return io, requests.frame()


def _hazard_runs(f):
    rows = []
    reps = _Long(HAZARD_REP_COLUMNS)
    group = f.get("hazard_runs") if f is not None else None
    for name in _ids_in_order(group):
        g = group[name]
        attrs = {"hazard_run": name, **_attrs(g)}
        rows.append(attrs)
        seconds = g["rep_seconds"][()]
        reps.add({k: attrs[k] for k in HAZARD_KEYS}, rep=np.arange(len(seconds)),
                 seconds=seconds, expected=g["expected"][()], observed=g["observed"][()],
                 anomalies=g["anomalies"][()])
    hazards = _summary_frame(rows, _table(f, "hazard_table"), "hazard_run", HAZARD_COLUMNS)
    return hazards, reps.frame()


def _provenance(f):
    provenance = _attrs(f)  # schema, schema_version, parkit_version, git_commit, created_utc
    jobs = {}
    group = f.get("jobs")
    for name in _ids_in_order(group):
        g = group[name]
        attrs = _attrs(g)
        job = {"text": {k: v for k, v in attrs.items() if isinstance(v, str)},
               "numbers": {k: v for k, v in attrs.items()
                           if isinstance(v, (int, float)) and not isinstance(v, bool)},
               "hosts": list(attrs.get("hosts", ())),  # by rank
               }
        for part in ("environment", "openmp_icvs", "context"):
            job[part] = _attrs(g[part]) if part in g else {}
        jobs[name] = job
    provenance["jobs"] = jobs
    return provenance
