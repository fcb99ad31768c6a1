# SPDX-License-Identifier: MIT
"""Results files written by the built parkit, shared by the Python tests (results_files_test.py,
parkit_results_test.py, schema_examples_test.py): the one way they run parkit, the small jobs
they run (and what those must give), and copies of a file made to look like an older schema
version.

    parkit = Parkit("build/ci/parkit")
    parkit.sweep("a.h5")                      # SWEEP_RUNS, SWEEP_REPS reps each
    study = parkit.study(directory)           # a sweep, an I/O job and a hazards job, merged
    make_old_version(copy_of_study, 1)        # what a version 1 parkit wrote
"""
import os
import subprocess

import h5py
import numpy as np
from numpy.lib import recfunctions

# The sweep's runs, in the order parkit runs them: (kernel, model, threads).
SWEEP_RUNS = [("sum_squares", "threads", 1), ("sum_squares", "threads", 2),
              ("square_map", "threads", 1), ("square_map", "threads", 2)]
SWEEP_N = 10**5
SWEEP_REPS = 3
SWEEP_CONTEXT = "purpose=test"
# The I/O job: request i asks for IO_PATHS[i % 2] (200, then 503), under each of the 4 drivers.
IO_DRIVERS = ["sequential", "threads", "pool", "coroutines"]
IO_REQUESTS = 8
IO_PATHS = ["/delay/5", "/status/503"]
IO_REPS = 2
# The hazards job: the raced counter, every variant, 2 threads.
HAZARD_SCENARIO = "counter"
HAZARD_OPS = 10000
HAZARD_REPS = 3


class Parkit:
    """The parkit binary under test, run as a user runs it, but without the caller's PARKIT_*
    variables: each is an option's twin and would change what a test asked for."""

    def __init__(self, binary):
        self.binary = os.path.abspath(binary)

    def __call__(self, *args, env=None, cwd=None, timeout=300):
        """Runs parkit with args (env: extra variables); the CompletedProcess, text output."""
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("PARKIT_")}
        full_env.update(env or {})
        return subprocess.run([self.binary, *args], capture_output=True, text=True, env=full_env,
                              cwd=cwd, timeout=timeout)

    def check(self, *args, **kwargs):
        """As calling it, but an exit code other than 0 fails the test, with parkit's stderr."""
        r = self(*args, **kwargs)
        if r.returncode != 0:
            raise AssertionError(f"parkit {' '.join(args)} exited {r.returncode}:\n{r.stderr}")
        return r

    def sweep(self, path, *extra, **kwargs):
        """SWEEP_RUNS into the results file at path, with --context SWEEP_CONTEXT."""
        kernels = ",".join(dict.fromkeys(k for k, _, _ in SWEEP_RUNS))
        threads = ",".join(str(t) for t in dict.fromkeys(t for _, _, t in SWEEP_RUNS))
        return self.check("sweep", "-k", kernels, "-m", "threads", "--threads", threads,
                          "-n", str(SWEEP_N), "--reps", str(SWEEP_REPS), "-o", path,
                          "--context", SWEEP_CONTEXT, *extra, **kwargs)

    def io(self, path, *extra, **kwargs):
        """IO_REQUESTS requests per rep against parkit's own server, under every driver."""
        paths = [arg for p in IO_PATHS for arg in ("--path", p)]
        return self.check("io", "--requests", str(IO_REQUESTS), *paths, "--reps", str(IO_REPS),
                          "-o", path, "--context", "purpose=io", *extra, **kwargs)

    def hazards(self, path, *extra, **kwargs):
        """Every variant of HAZARD_SCENARIO."""
        return self.check("hazards", HAZARD_SCENARIO, "--ops", str(HAZARD_OPS),
                          "--reps", str(HAZARD_REPS), "-o", path, *extra, **kwargs)

    def study(self, directory, env=None):
        """directory/study.h5: `parkit merge` of a sweep (job-0000), an I/O job (job-0001) and a
        hazards job (job-0002), each also kept as sweep.h5, io.h5, hazards.h5. env: extra
        variables for the sweep (its job's recorded environment)."""
        parts = [os.path.join(directory, name) for name in ("sweep.h5", "io.h5", "hazards.h5")]
        self.sweep(parts[0], env=env)
        self.io(parts[1])
        self.hazards(parts[2])
        study = os.path.join(directory, "study.h5")
        self.check("merge", *parts, "-o", study)
        return study


def make_old_version(path, version):
    """Rewrites the results file at path, as this parkit wrote it, in place into what a parkit
    of schema `version` (1 to 4) wrote, following SCHEMA.md's version table:
    - before 5: no others_before, others_after, host_cpus, host_workers in `interference`;
    - before 4: no `interference` subgroup or attribute on kernel runs, no /table column
      disturbed_reps, and no kernel_build (an early version 3 file, the oldest case);
    - before 3: no /hazard_runs, /hazard_table; before 2: no /io_runs, /io_table.
    Everything else is as written (what each version kept unchanged)."""
    with h5py.File(path, "r+") as f:
        written = int(f.attrs["schema_version"])
        if not 1 <= version <= written:
            raise ValueError(f"{path}: cannot make version {version} of a version {written} file")
        f.attrs["schema_version"] = np.int64(version)
        for run in f["runs"].values():
            if version < 5 and "interference" in run:
                for name in ("others_before", "others_after", "host_cpus", "host_workers"):
                    if name in run["interference"]:
                        del run["interference"][name]
            if version < 4:
                if "interference" in run:
                    del run["interference"]
                for name in ("interference", "kernel_build"):
                    if name in run.attrs:
                        del run.attrs[name]
        if version < 4 and "disturbed_reps" in f["table"].dtype.names:
            _drop_table_column(f, "table", "disturbed_reps")
        if version < 3:
            del f["hazard_runs"], f["hazard_table"]
        if version < 2:
            del f["io_runs"], f["io_table"]


def _drop_table_column(f, name, column):
    """The compound dataset f[name] without `column`, its `units` attribute (one per column)
    kept for the others."""
    table = f[name]
    rows, units = table[()], list(table.attrs["units"])
    keep = [c for c in rows.dtype.names if c != column]
    units = [u for c, u in zip(rows.dtype.names, units) if c != column]
    del f[name]
    f.create_dataset(name, data=recfunctions.repack_fields(rows[keep]))
    f[name].attrs["units"] = units
