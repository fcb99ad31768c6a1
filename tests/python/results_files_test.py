#!/usr/bin/python3
"""End-to-end tests of parkit's HDF5 results files, from the reader's side (h5py, pandas).

    /usr/bin/python3 tests/python/results_files_test.py --parkit PATH [unittest args]

- h5py reads every part of a file and pandas reads the flat table in one line;
- kill -9 at many moments of a job leaves either no file or a complete one, and never touches
  the file that was there before (replaced only by a complete new one, with --force);
- four jobs writing into one directory at once give four good files;
- a truncated file, random bytes and an HDF5 file that is not parkit's make `report` and
  `merge` exit 4 naming the file; merge keeps every job and run;
- an `io` job's file: h5py reads every I/O run request by request, pandas reads /io_table,
  and merge and report carry the I/O runs.
"""
import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np
import pandas as pd

import parkit_files
from schema_checks import check_results_file

PARKIT = None  # the binary's path (for Popen)
parkit = None  # parkit_files.Parkit: runs it


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class ResultsFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def sweep(self, path, *extra):
        return parkit.sweep(path, *extra)  # parkit_files.SWEEP_RUNS, 3 reps, purpose=test

    def test_h5py_reads_everything_and_pandas_reads_the_table_in_one_line(self):
        path = os.path.join(self.dir, "a.h5")
        self.sweep(path)
        # the checks every parkit file passes (a user's kernels' too: tests/install/)
        check_results_file(self, path, reps=3, runs=parkit_files.SWEEP_RUNS)
        with h5py.File(path) as f:
            job = f["jobs/job-0000"]
            self.assertIn("sweep", job.attrs["command_line"])
            self.assertEqual(job["context"].attrs["purpose"], "test")
            n = 10**5  # sum_squares' closed form, n(n-1)(2n-1)/6
            self.assertEqual(f["runs/run-0001"].attrs["expected"], str(n * (n - 1) * (2 * n - 1) // 6))
            self.assertEqual(f["runs/run-0001/rank_seconds"].attrs["units"], "s")
            # a job without I/O or hazard runs has them empty, not missing
            self.assertEqual(len(f["io_runs"]), 0)
            self.assertEqual(len(f["hazard_runs"]), 0)
        self.assertEqual(len(pd.DataFrame(h5py.File(path)["io_table"][()])), 0)
        self.assertEqual(len(pd.DataFrame(h5py.File(path)["hazard_table"][()])), 0)

    def test_kill_9_leaves_no_file_or_a_complete_one_and_never_damages_the_old_one(self):
        path = os.path.join(self.dir, "job.h5")
        self.sweep(path)
        before = digest(path)
        args = [PARKIT, "sweep", "-k", "sum_squares,sum_squares_array,square_map,triad",
                "-m", "threads", "--threads", "1,2,3,4", "-n", "2e5", "--reps", "20",
                "-o", path, "--force"]
        rng = random.Random(7)
        replaced = killed = 0
        stale = set()
        for attempt in range(12):
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, 1.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait()
            self.assertTrue(os.path.exists(path), f"attempt {attempt}: the old file vanished")
            if digest(path) != before:  # replaced: only ever by a complete file
                r = parkit("report", path)
                self.assertEqual(r.returncode, 0, f"attempt {attempt}: {r.stderr}")
                self.assertEqual(len(h5py.File(path)["table"]), 16)
                before = digest(path)
                replaced += 1
            # A kill between naming the finished file and renaming it over the old one leaves
            # that hidden name (Linux cannot link an unnamed file over an existing one): only
            # the killed writer's may be there, and the next write removes it.
            leftovers = [n for n in os.listdir(self.dir) if n != "job.h5"]
            self.assertTrue(all(n.startswith(f".job.h5.tmp-{proc.pid}-") for n in leftovers),
                            f"attempt {attempt}: left behind {leftovers}")
            stale.update(leftovers)
            self.assertFalse(stale & set(os.listdir(self.dir)) - set(leftovers),
                             f"attempt {attempt}: an older writer's temporary was not removed")
        self.assertGreater(killed, 0, "no job was killed: the test proved nothing")
        print(f"\n  kill -9: {killed} of 12 jobs killed mid-run, {replaced} completed",
              file=sys.stderr)

    def test_a_new_file_appears_complete_or_not_at_all(self):
        path = os.path.join(self.dir, "fresh.h5")
        for attempt in range(6):
            proc = subprocess.Popen([PARKIT, "sweep", "-k", "sum_squares", "-m", "threads",
                                     "--threads", "1,2", "-n", "1e6", "--reps", "30", "-o", path],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.02 + 0.05 * attempt)
            proc.kill()
            proc.wait()
            if os.path.exists(path):
                self.assertEqual(parkit("report", path).returncode, 0)
                os.remove(path)
            self.assertEqual(os.listdir(self.dir), [])

    def test_four_jobs_writing_into_one_directory_give_four_good_files(self):
        procs = [subprocess.Popen([PARKIT, "run", "-k", "sum_squares", "-m", "seq", "-n", "1e5"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "PARKIT_RESULTS_DIR": self.dir})
                 for _ in range(4)]
        for p in procs:
            _, err = p.communicate()
            self.assertEqual(p.returncode, 0, err)
        files = sorted(os.listdir(self.dir))
        self.assertEqual(len(files), 4, files)
        for name in files:
            self.assertTrue(name.startswith("parkit-") and name.endswith(".h5"), name)
            with h5py.File(os.path.join(self.dir, name)) as f:
                self.assertEqual(len(f["table"]), 1)
                self.assertTrue(f["table"]["verified"][0])

    def test_bad_files_make_report_and_merge_exit_4_naming_the_file(self):
        good = os.path.join(self.dir, "good.h5")
        self.sweep(good)
        truncated = os.path.join(self.dir, "truncated.h5")
        with open(good, "rb") as f, open(truncated, "wb") as out:
            out.write(f.read()[: os.path.getsize(good) // 2])
        noise = os.path.join(self.dir, "noise.h5")
        with open(noise, "wb") as out:
            out.write(random.Random(1).randbytes(10000))
        foreign = os.path.join(self.dir, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["data"] = np.arange(10)
        for bad in (truncated, noise, foreign):
            for args in (["report", good, bad], ["merge", good, bad, "-o",
                                                  os.path.join(self.dir, "m.h5")]):
                r = parkit(*args)
                self.assertEqual(r.returncode, 4, f"{args}: {r.stderr}")
                self.assertIn(bad, r.stderr)
                self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.dir, "m.h5")))

    def test_merge_keeps_every_job_and_run_and_report_reads_the_study(self):
        a, b = os.path.join(self.dir, "a.h5"), os.path.join(self.dir, "b.h5")
        self.sweep(a)
        r = parkit("run", "-k", "sum_squares", "-m", "seq", "-n", "1e5", "-o", b)
        self.assertEqual(r.returncode, 0, r.stderr)
        study = os.path.join(self.dir, "s.h5")
        r = parkit("merge", a, b, "-o", study)
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(study) as f:
            self.assertEqual(sorted(f["jobs"]), ["job-0000", "job-0001"])
            self.assertEqual(f["jobs/job-0001"].attrs["source_file"], b)
            self.assertEqual(len(f["runs"]), 5)
            self.assertEqual(list(f["table"]["job"]), [b"job-0000"] * 4 + [b"job-0001"])
        self.assertEqual(parkit("merge", a, "-o", study).returncode, 2)  # exists, no --force
        r = parkit("report", "--format", "csv", study)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("sum_squares,threads,strong,2,1,2,100000,", r.stdout)

    def io_job(self, path):
        return parkit.io(path)  # 8 requests of /delay/5, /status/503 by turns, 2 reps, purpose=io

    def test_io_runs_read_request_by_request_and_merge_and_report_carry_them(self):
        a, b = os.path.join(self.dir, "a.h5"), os.path.join(self.dir, "b.h5")
        self.io_job(a)
        self.io_job(b)
        drivers = ["sequential", "threads", "pool", "coroutines"]
        with h5py.File(a) as f:
            self.assertEqual(f.attrs["schema_version"], 5)
            self.assertEqual(len(f["runs"]), 0)
            self.assertEqual(len(f["table"]), 0)
            self.assertEqual(sorted(f["io_runs"]), [f"io-{k:04}" for k in range(4)])
            self.assertEqual(f["jobs/job-0000/context"].attrs["purpose"], "io")
            for k, driver in enumerate(drivers):
                run = f[f"io_runs/io-{k:04}"]
                self.assertEqual(run.attrs["driver"], driver)
                self.assertEqual(run.attrs["requests"], 8)
                self.assertTrue(run.attrs["server_started"])
                self.assertEqual(list(run["paths"].asstr()[()]), ["/delay/5", "/status/503"])
                counts = run["counts"][()]
                self.assertEqual(counts.shape, (2, 5))
                self.assertEqual(list(run["counts"].attrs["columns"]),
                                 ["ok", "http_error", "connection_error", "timeout", "cancelled"])
                self.assertEqual(counts.tolist(), [[4, 4, 0, 0, 0]] * 2)  # each row sums to N
                # request i asks for path i % 2: 200, 503, 200, ...
                self.assertEqual(run["http_status"][()].tolist(), [[200, 503] * 4] * 2)
                self.assertEqual(run["outcome"][()].tolist(), [[0, 1] * 4] * 2)
                self.assertEqual(run["latency_seconds"].shape, (2, 8))
                self.assertTrue((run["latency_seconds"][()] > 0).all())
                self.assertEqual(run.attrs["ok"], 8)
                self.assertEqual(run.attrs["latency_count"], 16)
                for name, ds in run.items():
                    self.assertIn("units", ds.attrs, name)
        io = pd.DataFrame(h5py.File(a)["io_table"][()])  # the one-liner SCHEMA.md shows
        self.assertEqual(list(io["driver"].str.decode("utf-8")), drivers)
        self.assertEqual(list(io["ok"]), [8] * 4)
        self.assertEqual(list(io["http_error"]), [8] * 4)
        self.assertTrue((io["makespan_median_s"] > 0).all())

        study = os.path.join(self.dir, "s.h5")
        r = parkit("merge", a, b, "-o", study)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(2 jobs, 0 runs, 8 io runs, 0 hazard runs)", r.stderr)
        with h5py.File(study) as f:
            self.assertEqual(len(f["io_runs"]), 8)
            self.assertEqual(list(f["io_table"]["job"]), [b"job-0000"] * 4 + [b"job-0001"] * 4)
            self.assertEqual(f["io_runs/io-0005"].attrs["job"], "job-0001")
            self.assertEqual(f["jobs/job-0001"].attrs["source_file"], b)
        r = parkit("report", "--format", "csv", study)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = r.stdout.splitlines()
        self.assertTrue(rows[0].startswith("paths,requests,timeout_ms,"), rows[0])
        self.assertEqual(len(rows), 9)
        self.assertEqual(sum(",sequential," in row for row in rows), 2)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--parkit", required=True)
    args, rest = ap.parse_known_args()
    parkit = parkit_files.Parkit(args.parkit)
    PARKIT = parkit.binary
    unittest.main(argv=[sys.argv[0], *rest])
