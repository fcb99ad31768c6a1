#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tests of results/parkit_results.py (the pandas reader) against files the real parkit wrote.

    /usr/bin/python3 tests/python/parkit_results_test.py --parkit PATH --results-dir DIR \
        [unittest args]

- values round-trip: every rep time in `reps` is h5py's `rep_seconds`, each run's median is
  /table's `median_s`, `runs` holds every /table column and run attribute as written; I/O
  requests, interference workers and hazard reps have one row each, with the file's values;
- provenance has each job's command line, hosts, environment, OpenMP ICVs and --context, and
  the file's own attributes;
- files made to look like versions 1 to 4 read with the same columns and dtypes, the parts
  their version lacks empty and the attributes it lacks filled as parkit reads them;
- run groups come in number order; a non-parkit, newer, damaged or non-HDF5 file raises,
  naming the file;
- plot_scaling.py's caption comes from the reader.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import unittest

import h5py
import numpy as np

import parkit_files

parkit = None  # parkit_files.Parkit
STUDY = None  # tempfile.TemporaryDirectory holding study.h5 (parkit_files.Parkit.study)
FRAMES = ("runs", "reps", "interference", "io", "io_requests", "hazards", "hazard_reps")


def study_path():
    return os.path.join(STUDY.name, "study.h5")


def decoded(values):
    return [v.decode() if isinstance(v, bytes) else v for v in values.tolist()]


class Reader(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import parkit_results  # from --results-dir
        cls.pr = parkit_results
        cls.r = parkit_results.read(study_path())

    def setUp(self):
        self.f = h5py.File(study_path(), "r")

    def tearDown(self):
        self.f.close()

    def test_rep_times_are_the_files_and_each_median_is_the_tables(self):
        r, f = self.r, self.f
        self.assertEqual(r.schema_version, f.attrs["schema_version"])
        self.assertEqual(list(r.runs[["kernel", "model", "threads"]].itertuples(index=False,
                                                                                 name=None)),
                         parkit_files.SWEEP_RUNS)
        self.assertEqual(len(r.reps), len(parkit_files.SWEEP_RUNS) * parkit_files.SWEEP_REPS)
        table_median = dict(zip(decoded(f["table"]["run"]), f["table"]["median_s"]))
        for run, rows in r.reps.groupby("run"):
            rows = rows.sort_values("rep")
            self.assertEqual(list(rows["rep"]), list(range(parkit_files.SWEEP_REPS)))
            np.testing.assert_array_equal(rows["seconds"], f[f"runs/{run}/rep_seconds"][()])
            np.testing.assert_array_equal(rows["outlier"], f[f"runs/{run}/outliers"][()])
            self.assertEqual(rows["seconds"].median(), table_median[run])
            # the key columns, on every rep row, are the run's
            attrs = f[f"runs/{run}"].attrs
            for key in ("kernel", "model", "scaling"):
                self.assertEqual(set(rows[key]), {attrs[key]})
            for key in ("n_global", "n_per_rank", "ranks", "threads"):
                self.assertEqual(set(rows[key]), {int(attrs[key])})

    def test_runs_hold_every_table_column_and_run_attribute_as_written(self):
        runs, f = self.r.runs, self.f
        self.assertEqual(list(runs.columns), list(self.pr.RUN_COLUMNS))  # nothing unnamed
        table = f["table"][()]
        for column in table.dtype.names:
            # (NaN equals NaN here: percent_of_triad without a triad run)
            np.testing.assert_array_equal(runs[column], decoded(table[column]), column)
        for i, run in enumerate(runs["run"]):
            for name, value in f[f"runs/{run}"].attrs.items():
                if name == "warnings":
                    self.assertEqual(runs["warnings"][i], tuple(value) if value.shape else ())
                elif isinstance(value, float) and np.isnan(value):  # percent_of_triad: no triad
                    self.assertTrue(np.isnan(runs[name][i]), name)
                else:
                    self.assertEqual(runs[name][i], value, f"{run} {name}")

    def test_interference_has_a_row_per_worker_and_rep_with_the_files_counts(self):
        r, f = self.r, self.f
        recorded = r.runs[r.runs["disturbed_reps"] >= 0]
        self.assertGreater(len(recorded), 0, "no run recorded its interference: nothing tested")
        self.assertEqual(len(r.interference), int((recorded["reps"] * recorded["ranks"]
                                                   * recorded["threads"]).sum()))
        for run, rows in r.interference.groupby("run"):
            group = f[f"runs/{run}/interference"]
            for column, dataset in (("run_delay_s", "run_delay"),
                                    ("involuntary_switches", "involuntary_switches"),
                                    ("migrations", "migrations")):
                np.testing.assert_array_equal(rows[column], group[dataset][()].ravel())
        # /table's disturbed_reps is the count of the reps flagged in interference/disturbed
        flagged = r.reps.groupby("run")["disturbed"].sum()
        for run, count in zip(recorded["run"], recorded["disturbed_reps"]):
            self.assertEqual(flagged[run], count, run)

    def test_io_runs_and_requests_have_a_row_each_with_the_files_values(self):
        r, f = self.r, self.f
        self.assertEqual(list(r.io.columns), list(self.pr.IO_COLUMNS))
        self.assertEqual(list(r.io["driver"]), parkit_files.IO_DRIVERS)
        self.assertEqual(len(r.io), len(f["io_table"]))
        self.assertEqual(set(r.io["paths"]), {tuple(parkit_files.IO_PATHS)})
        self.assertEqual(len(r.io_requests), len(parkit_files.IO_DRIVERS) * parkit_files.IO_REPS
                         * parkit_files.IO_REQUESTS)
        for io_run, rows in r.io_requests.groupby("io_run"):
            np.testing.assert_array_equal(rows["latency_s"],
                                          f[f"io_runs/{io_run}/latency_seconds"][()].ravel())
            np.testing.assert_array_equal(rows["http_status"],
                                          f[f"io_runs/{io_run}/http_status"][()].ravel())
            # the run's latency_max_s is over the answered requests (ok or http_error)
            answered = rows[rows["outcome"].isin(["ok", "http_error"])]
            self.assertEqual(answered["latency_s"].max(),
                             r.io.set_index("io_run").loc[io_run, "latency_max_s"])
        # request i asks for paths[i % 2]: /delay/5 answers 200 (ok), /status/503 503
        by_path = r.io_requests.groupby("path")
        self.assertEqual(set(by_path.get_group("/delay/5")["outcome"]), {"ok"})
        self.assertEqual(set(by_path.get_group("/status/503")["outcome"]), {"http_error"})
        self.assertEqual(set(by_path.get_group("/status/503")["http_status"]), {503})

    def test_hazard_runs_and_reps_have_a_row_each_with_the_files_values(self):
        r, f = self.r, self.f
        self.assertEqual(list(r.hazards.columns), list(self.pr.HAZARD_COLUMNS))
        self.assertEqual(len(r.hazards), len(f["hazard_runs"]))
        self.assertEqual(len(r.hazards), len(f["hazard_table"]))
        self.assertGreaterEqual(len(r.hazards), 2)  # the unsafe variant and its fixes
        self.assertEqual(set(r.hazards["scenario"]), {parkit_files.HAZARD_SCENARIO})
        self.assertEqual(len(r.hazard_reps), parkit_files.HAZARD_REPS * len(r.hazards))
        reps = r.hazard_reps
        # the counter's anomalies are its lost updates: expected - observed, in every rep
        self.assertTrue(((reps["expected"] - reps["observed"]) == reps["anomalies"]).all())
        totals = reps.groupby("hazard_run")["anomalies"].sum()
        for row in r.hazards.itertuples():
            group = f[f"hazard_runs/{row.hazard_run}"]
            self.assertEqual(row.verdict, group.attrs["verdict"])  # the full text, only there
            self.assertEqual(row.anomalies_total, totals[row.hazard_run])
            np.testing.assert_array_equal(
                reps[reps["hazard_run"] == row.hazard_run]["seconds"], group["rep_seconds"][()])

    def test_provenance_has_every_jobs_command_line_hosts_and_environment(self):
        provenance, f = self.r.provenance, self.f
        for key in ("schema", "schema_version", "parkit_version", "git_commit", "created_utc"):
            self.assertEqual(provenance[key], f.attrs[key], key)
        jobs = provenance["jobs"]
        self.assertEqual(list(jobs), ["job-0000", "job-0001", "job-0002"])  # sweep, io, hazards
        for name, job in jobs.items():
            attrs = f[f"jobs/{name}"].attrs
            self.assertEqual(job["text"]["command_line"], attrs["command_line"])
            self.assertEqual(job["hosts"], list(attrs["hosts"]))
            self.assertEqual(len(job["hosts"]), 1)  # one rank
            self.assertEqual(job["numbers"]["ranks"], 1)
            self.assertEqual(set(job["openmp_icvs"]), set(f[f"jobs/{name}/openmp_icvs"].attrs))
            # A build without OpenMP (seq-only, tsan) records no ICVs: the group is empty.
            built_with_openmp = job["text"]["openmp_version"] != "not built"
            self.assertEqual("max_threads" in job["openmp_icvs"], built_with_openmp)
        sweep, io, hazards = jobs.values()
        self.assertIn(" sweep ", sweep["text"]["command_line"])
        self.assertIn(" io ", io["text"]["command_line"])
        self.assertIn(" hazards ", hazards["text"]["command_line"])
        self.assertEqual(sweep["context"], {"purpose": "test"})
        self.assertEqual(io["context"], {"purpose": "io"})
        self.assertEqual(sweep["environment"]["OMP_SCHEDULE"], "static")  # set for the sweep
        self.assertEqual(sweep["text"]["source_file"], os.path.join(STUDY.name, "sweep.h5"))

    def test_older_versions_read_with_the_same_columns_and_what_they_lack_empty(self):
        with tempfile.TemporaryDirectory() as d:
            for version in (4, 3, 2, 1):
                with self.subTest(version=version):
                    old = os.path.join(d, f"v{version}.h5")
                    shutil.copy(study_path(), old)
                    parkit_files.make_old_version(old, version)
                    self.check_old(self.pr.read(old), version)

    def check_old(self, old, version):
        new = self.r
        self.assertEqual(old.schema_version, version)
        for name in FRAMES:  # the same columns, the same dtypes: code for new files runs
            self.assertEqual(dict(getattr(old, name).dtypes), dict(getattr(new, name).dtypes),
                             name)
        np.testing.assert_array_equal(old.reps["seconds"], new.reps["seconds"])
        self.assertEqual(list(old.runs["median_s"]), list(new.runs["median_s"]))
        self.assertEqual(list(old.provenance["jobs"]), list(new.provenance["jobs"]))
        if version >= 4:
            self.assertEqual(list(old.runs["interference"]), list(new.runs["interference"]))
            self.assertEqual(list(old.runs["disturbed_reps"]), list(new.runs["disturbed_reps"]))
            self.assertEqual(len(old.interference), len(new.interference))
        else:  # as parkit reads them: not recorded, -1; kernel_build absent in early v3
            self.assertEqual(set(old.runs["interference"]), {"not recorded"})
            self.assertEqual(set(old.runs["disturbed_reps"]), {-1})
            self.assertTrue(old.runs["kernel_build"].isna().all())
            self.assertFalse(old.reps["disturbed"].any())
            self.assertTrue(old.interference.empty)
        self.assertEqual(len(old.hazards), len(new.hazards) if version >= 3 else 0)
        self.assertEqual(len(old.hazard_reps), len(new.hazard_reps) if version >= 3 else 0)
        self.assertEqual(len(old.io), len(new.io) if version >= 2 else 0)
        self.assertEqual(len(old.io_requests), len(new.io_requests) if version >= 2 else 0)

    def test_a_part_newer_than_the_files_version_is_not_read_as_parkit_does(self):
        with tempfile.TemporaryDirectory() as d:
            old = os.path.join(d, "v1.h5")
            shutil.copy(study_path(), old)
            with h5py.File(old, "r+") as f:  # version 1, its I/O and hazard groups left in
                f.attrs.modify("schema_version", 1)
            r = self.pr.read(old)
        self.assertEqual((len(r.io), len(r.io_requests), len(r.hazards)), (0, 0, 0))
        self.assertEqual(len(r.runs), len(self.r.runs))

    def test_run_groups_come_in_number_order(self):
        with tempfile.TemporaryDirectory() as d:
            many = os.path.join(d, "many.h5")
            shutil.copy(study_path(), many)
            with h5py.File(many, "r+") as f:  # what a study of 10001 runs has at its end
                f.copy("runs/run-0000", "runs/run-9999")
                f.copy("runs/run-0001", "runs/run-10000")
            runs = self.pr.read(many).runs
        self.assertEqual(list(runs["run"]), ["run-0000", "run-0001", "run-0002", "run-0003",
                                             "run-9999", "run-10000"])
        self.assertEqual(list(runs["threads"])[-2:], [1, 2])

    def test_bad_files_raise_naming_the_file(self):
        with tempfile.TemporaryDirectory() as d:
            def path(name):
                return os.path.join(d, name)

            def raises(error, name, message):
                with self.assertRaisesRegex(error, "^" + re.escape(path(name)) + ": " + message):
                    self.pr.read(path(name))

            with h5py.File(path("foreign.h5"), "w") as f:
                f["x"] = [1, 2, 3]
            raises(ValueError, "foreign.h5", "an HDF5 file, but not parkit results")
            with open(path("notes.txt"), "w") as out:
                out.write("not hdf5\n")
            raises(OSError, "notes.txt", "cannot open as HDF5")
            raises(OSError, "missing.h5", "cannot open as HDF5")
            with open(study_path(), "rb") as f, open(path("truncated.h5"), "wb") as out:
                out.write(f.read()[: os.path.getsize(study_path()) // 2])
            raises(OSError, "truncated.h5", "cannot open as HDF5")
            for name, edit, message in (
                    ("newer.h5", lambda f: f.attrs.modify("schema_version", 9),
                     "parkit results schema version 9, this reader reads 1 to 5"),
                    ("unversioned.h5", lambda f: f.attrs.__delitem__("schema_version"),
                     "parkit results without a schema_version"),
                    ("damaged.h5", lambda f: f.__delitem__("runs/run-0002/rep_seconds"),
                     "damaged parkit results: .*rep_seconds")):
                shutil.copy(study_path(), path(name))
                with h5py.File(path(name), "r+") as f:
                    edit(f)
                raises(ValueError, name, message)


class PlotScalingUsesIt(unittest.TestCase):
    def test_the_caption_names_the_cpu_and_hosts_from_the_provenance(self):
        import plot_scaling  # results/plot_scaling.py, beside parkit_results.py
        with h5py.File(study_path()) as f:
            job = f["jobs/job-0000"]
            cpu, host = job.attrs["cpu_model"], list(job.attrs["hosts"])[0]
        self.assertEqual(plot_scaling.where_they_ran([study_path()]), f"{cpu} on {host}")
        json_only = os.path.join(STUDY.name, "notes.json")
        with open(json_only, "w") as out:
            out.write("{}")
        self.assertEqual(plot_scaling.where_they_ran([json_only]), "")  # no provenance to show


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--parkit", required=True)
    ap.add_argument("--results-dir", required=True, help="where parkit_results.py is")
    args, rest = ap.parse_known_args()
    parkit = parkit_files.Parkit(args.parkit)
    sys.path.insert(0, os.path.abspath(args.results_dir))
    STUDY = tempfile.TemporaryDirectory()
    try:
        parkit.study(STUDY.name, env={"OMP_SCHEDULE": "static"})
        outcome = unittest.main(argv=[sys.argv[0], *rest], exit=False)
    finally:
        STUDY.cleanup()
    sys.exit(0 if outcome.result.wasSuccessful() else 1)
