#!/usr/bin/python3
"""Tests of results/parkit_results.py (the pandas reader) against files the real parkit wrote,
and of SCHEMA.md's Python examples, which must run as written.

    /usr/bin/python3 tests/python/parkit_results_test.py --parkit PATH --results-dir DIR \
        [unittest args]

- values round-trip: every rep time in `reps` is h5py's `rep_seconds`, each run's median is the
  file's `time_median_s`; I/O requests and hazard reps have one row per request/rep;
- provenance has the command line, hosts, environment and --context of each job;
- an old-schema file (version 1: no I/O, hazards or interference) reads with empty frames that
  keep their columns; a non-parkit HDF5 file and a non-HDF5 file raise, naming the file;
- plot_scaling.py's caption comes from the reader;
- every ```python block of SCHEMA.md runs in a directory holding `study.h5`.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

PARKIT = RESULTS_DIR = None
STUDY = None  # tempfile.TemporaryDirectory holding study.h5, made once for all tests


def parkit(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKIT_")}
    r = subprocess.run([PARKIT, *args], capture_output=True, text=True, env=env, cwd=cwd,
                       timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"parkit {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def make_study(directory):
    """study.h5: a thread sweep (2 runs), an I/O run (4 drivers) and the counter hazard, merged."""
    parkit("sweep", "-k", "sum_squares", "-m", "threads", "--threads", "1,2", "-n", "1e6",
           "--reps", "4", "--context", "purpose=reader-test", "-o", "a.h5", cwd=directory)
    parkit("io", "--requests", "6", "--path", "/delay/2", "--path", "/status/503", "--reps", "2",
           "-o", "b.h5", cwd=directory)
    parkit("hazards", "counter", "--ops", "100000", "--reps", "3", "-o", "c.h5", cwd=directory)
    parkit("merge", "a.h5", "b.h5", "c.h5", "-o", "study.h5", cwd=directory)
    return os.path.join(directory, "study.h5")


class Reader(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import parkit_results
        cls.pr = parkit_results
        cls.path = os.path.join(STUDY.name, "study.h5")
        cls.r = parkit_results.read(cls.path)

    def test_rep_times_and_medians_are_the_files(self):
        r = self.r
        self.assertEqual(r.schema_version, 5)
        self.assertEqual(list(r.runs["threads"]), [1, 2])
        self.assertEqual(len(r.reps), 2 * 4)
        with h5py.File(self.path) as f:
            for run, rows in r.reps.groupby("run"):
                np.testing.assert_array_equal(rows.sort_values("rep")["seconds"].to_numpy(),
                                              f[f"runs/{run}/rep_seconds"][()])
                self.assertEqual(rows["seconds"].median(),
                                 f[f"runs/{run}"].attrs["time_median_s"])
                self.assertEqual(list(rows["kernel"].unique()), ["sum_squares"])
        # the interference: one row per (run, rep, worker): 4 reps x (1 + 2) workers
        self.assertEqual(len(r.interference), 4 * 3)
        self.assertTrue((r.interference["run_delay_s"] >= 0).all())

    def test_io_requests_and_hazard_reps_have_a_row_each(self):
        r = self.r
        self.assertEqual(sorted(r.io["driver"]), ["coroutines", "pool", "sequential", "threads"])
        self.assertEqual(len(r.io_requests), 4 * 2 * 6)  # drivers x reps x requests
        by_path = r.io_requests.groupby("path")["outcome"].agg(set)
        self.assertEqual(by_path["/delay/2"], {"ok"})
        self.assertEqual(set(r.io_requests[r.io_requests["path"] == "/status/503"]["http_status"]),
                         {503})
        self.assertGreaterEqual(len(r.hazards), 2)
        self.assertEqual(set(r.hazards["scenario"]), {"counter"})
        self.assertEqual(len(r.hazard_reps), 3 * len(r.hazards))
        unsafe = r.hazards[r.hazards["variant"] == "unsynchronized"]["hazard_run"].iloc[0]
        rows = r.hazard_reps[r.hazard_reps["hazard_run"] == unsafe]
        self.assertTrue(((rows["expected"] - rows["observed"]) == rows["anomalies"]).all())

    def test_provenance_names_each_job(self):
        jobs = self.r.provenance["jobs"]
        self.assertEqual(list(jobs), ["job-0000", "job-0001", "job-0002"])
        sweep = jobs["job-0000"]
        self.assertIn("sweep", sweep["text"]["command_line"])
        self.assertEqual(sweep["context"], {"purpose": "reader-test"})
        self.assertEqual(len(sweep["hosts"]), 1)
        self.assertEqual(sweep["numbers"]["ranks"], 1)
        self.assertEqual(self.r.provenance["schema"], "parkit.results")

    def test_an_old_file_reads_with_empty_frames_that_keep_their_columns(self):
        with tempfile.TemporaryDirectory() as d:
            old = os.path.join(d, "v1.h5")
            shutil.copy(self.path, old)
            with h5py.File(old, "r+") as f:  # what version 1 had: jobs, runs, table
                f.attrs["schema_version"] = 1
                for name in ("io_runs", "io_table", "hazard_runs", "hazard_table"):
                    del f[name]
                for run in f["runs"].values():
                    if "interference" in run:
                        del run["interference"]
                    del run.attrs["interference"]
            r = self.pr.read(old)
        self.assertEqual(r.schema_version, 1)
        self.assertEqual(len(r.runs), 2)
        self.assertEqual(list(r.runs["interference"]), ["not recorded"] * 2)
        self.assertEqual(list(r.runs["disturbed_reps"]), [-1, -1])
        for frame, columns in ((r.io, self.pr.IO_KEYS), (r.io_requests, self.pr.IO_REQUEST_COLUMNS),
                               (r.hazards, self.pr.HAZARD_KEYS),
                               (r.hazard_reps, self.pr.HAZARD_REP_COLUMNS),
                               (r.interference, self.pr.INTERFERENCE_COLUMNS)):
            self.assertTrue(frame.empty)
            self.assertEqual(list(frame.columns), columns)
        self.assertEqual(len(r.reps), 8)  # the rep times are there in every version

    def test_foreign_files_raise_naming_the_file(self):
        with tempfile.TemporaryDirectory() as d:
            foreign = os.path.join(d, "foreign.h5")
            with h5py.File(foreign, "w") as f:
                f["x"] = [1, 2, 3]
            with self.assertRaisesRegex(ValueError, re.escape(foreign) + ": not a parkit"):
                self.pr.read(foreign)
            text = os.path.join(d, "notes.txt")
            with open(text, "w") as out:
                out.write("not hdf5\n")
            with self.assertRaisesRegex(OSError, re.escape(text)):
                self.pr.read(text)
            newer = os.path.join(d, "v9.h5")
            shutil.copy(self.path, newer)
            with h5py.File(newer, "r+") as f:
                f.attrs["schema_version"] = 9
            with self.assertRaisesRegex(ValueError, "schema version 9, this reader reads 1 to 5"):
                self.pr.read(newer)


class PlotScalingUsesIt(unittest.TestCase):
    def test_the_caption_names_the_cpu_and_hosts_from_the_provenance(self):
        import plot_scaling  # results/plot_scaling.py, beside parkit_results.py
        path = os.path.join(STUDY.name, "study.h5")
        with h5py.File(path) as f:
            job = f["jobs/job-0000"]
            cpu, host = job.attrs["cpu_model"], list(job.attrs["hosts"])[0]
        self.assertEqual(plot_scaling.where_they_ran([path]), f"{cpu} on {host}")
        json_only = os.path.join(STUDY.name, "notes.json")
        with open(json_only, "w") as out:
            out.write("{}")
        self.assertEqual(plot_scaling.where_they_ran([json_only]), "")  # no provenance to show


class SchemaExamples(unittest.TestCase):
    def test_every_python_block_of_schema_md_runs(self):
        with open(os.path.join(RESULTS_DIR, "SCHEMA.md")) as f:
            blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
        self.assertGreaterEqual(len(blocks), 2)
        here = os.getcwd()
        os.chdir(STUDY.name)
        try:
            for i, block in enumerate(blocks):
                with self.subTest(block=i, first_line=block.splitlines()[0]):
                    exec(compile(block, f"SCHEMA.md python block {i}", "exec"), {})
        finally:
            os.chdir(here)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--parkit", required=True)
    ap.add_argument("--results-dir", required=True, help="where parkit_results.py and SCHEMA.md are")
    args, rest = ap.parse_known_args()
    PARKIT = os.path.abspath(args.parkit)
    RESULTS_DIR = os.path.abspath(args.results_dir)
    sys.path.insert(0, RESULTS_DIR)
    STUDY = tempfile.TemporaryDirectory()
    try:
        make_study(STUDY.name)
        outcome = unittest.main(argv=[sys.argv[0], *rest], exit=False)
    finally:
        STUDY.cleanup()
    sys.exit(0 if outcome.result.wasSuccessful() else 1)
