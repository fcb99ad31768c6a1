# SPDX-License-Identifier: MIT
"""The schema checks every parkit results file must pass, whichever kernels wrote it: the
built-in ones (results_files_test.py) or a user's, built against an installed parkit
(tests/install/install_test.py). results/SCHEMA.md is the layout they check.
"""
import h5py
import numpy as np
import pandas as pd

# Provenance every job records (SCHEMA.md, /jobs/<job>).
JOB_KEYS = ("command_line", "user", "compiler", "compiler_flags", "build_type", "kernel_paths",
            "mpi_library", "openmp_version", "hdf5_version", "cpu_model", "cores",
            "memory_bytes", "timer_resolution_s", "hosts", "ranks")

# SCHEMA.md, /runs/<run>/interference (since version 4): per worker and per rank, by rep.
PER_WORKER = {"run_delay": ("f", "s"), "involuntary_switches": ("i", "1"),
              "migrations": ("i", "1")}
PER_RANK = {"steal": ("f", "s"), "cpu_pressure": ("f", "s"),
            "others_before": ("i", "1"), "others_after": ("i", "1")}  # others_*: since v5
PER_HOST = {"host_cpus": ("i", "1"), "host_workers": ("i", "1")}  # [ranks], since v5


def expected_disturbed(run, group, threads):
    """SCHEMA.md's rule, computed here from the recorded counts: which reps are disturbed."""
    rep_seconds = run["rep_seconds"][()]
    run_delay, steal = group["run_delay"][()], group["steal"][()]
    switches = group["involuntary_switches"][()]
    before, after = group["others_before"][()], group["others_after"][()]
    cpus, workers = group["host_cpus"][()], group["host_workers"][()]
    marks = []
    for rep, seconds in enumerate(rep_seconds):
        floor = max(50e-6, 0.05 * seconds)
        hit = bool((steal[rep] >= floor * threads).any())
        for rank in range(steal.shape[1]):
            mine = slice(rank * threads, (rank + 1) * threads)
            waited = bool((run_delay[rep][mine] >= floor).any())
            lost_cpu = bool((run_delay[rep][mine] >= 50e-6).any()
                            or (switches[rep][mine] > 0).any())
            b, a = before[rep][rank], after[rep][rank]
            if b < 0 or a < 0:
                hit = hit or waited
            else:
                crowded = min(b, a) > 0 and min(b, a) + workers[rank] > cpus[rank]
                hit = hit or (crowded and lost_cpu) or (waited and max(b, a) > 0)
        marks.append(hit)
    return marks


def check_interference(tc, run, name, reps, ranks, threads):
    """Returns the run's disturbed reps (-1: not recorded) after checking its `interference`
    attribute and, when recorded, the subgroup: [reps][ranks * threads] per worker, [reps][ranks]
    per rank, `disturbed` [reps] of bools, the attribute saying how many are flagged, a warning
    when any is."""
    verdict = run.attrs["interference"]
    if "interference" not in run:
        tc.assertEqual(verdict, "not recorded", name)
        return -1
    group = run["interference"]
    tc.assertEqual(set(group), set(PER_WORKER) | set(PER_RANK) | set(PER_HOST) | {"disturbed"},
                   name)
    for key, (kind, units) in PER_HOST.items():
        ds = group[key]
        tc.assertEqual(ds.shape, (ranks,), f"{name} {key}")
        tc.assertEqual(ds.dtype.kind, kind, f"{name} {key}")
        tc.assertEqual(ds.attrs["units"], units, f"{name} {key}")
    tc.assertTrue((group["host_cpus"][()] >= 1).all(), name)
    tc.assertTrue((group["host_workers"][()] >= threads).all(), name)  # ranks may share a host
    for key in ("others_before", "others_after"):
        tc.assertTrue((group[key][()] >= -1).all(), f"{name} {key}")  # -1: not read
    for shape, columns in ((ranks * threads, PER_WORKER), (ranks, PER_RANK)):
        for key, (kind, units) in columns.items():
            ds = group[key]
            tc.assertEqual(ds.shape, (reps, shape), f"{name} {key}")
            tc.assertEqual(ds.dtype.kind, kind, f"{name} {key}")
            tc.assertEqual(ds.attrs["units"], units, f"{name} {key}")
    run_delay = group["run_delay"][()]
    tc.assertTrue((run_delay >= 0).all(), name)
    tc.assertTrue((group["involuntary_switches"][()] >= 0).all(), name)
    tc.assertTrue((group["migrations"][()] >= -1).all(), name)  # -1: the kernel does not say
    tc.assertTrue((group["steal"][()] >= 0).all(), name)
    pressure = group["cpu_pressure"][()]
    tc.assertTrue((np.isnan(pressure) | (pressure >= 0)).all(), name)  # NaN: no PSI
    disturbed = group["disturbed"][()]
    tc.assertEqual(disturbed.shape, (reps,), name)
    tc.assertEqual(disturbed.dtype, np.bool_, name)  # the encoding of `outliers`
    tc.assertEqual(group["disturbed"].attrs["units"], "1", name)
    tc.assertEqual(list(disturbed), expected_disturbed(run, group, threads), name)
    flagged = int(disturbed.sum())
    # the run is disturbed when at least a tenth of its reps are; fewer are noted, not flagged
    run_disturbed = flagged > 0 and 10 * flagged >= reps
    expected = ("quiet" if flagged == 0 else f"disturbed: {flagged} of {reps} reps"
                if run_disturbed else f"quiet ({flagged} of {reps} reps disturbed)")
    tc.assertEqual(verdict, expected, name)
    warnings = run.attrs["warnings"]  # an empty list comes back as h5py.Empty
    warnings = [] if isinstance(warnings, h5py.Empty) else list(warnings)
    warned = any(w.startswith("disturbed: ") for w in warnings)
    tc.assertEqual(warned, run_disturbed, f"{name}: {warnings}")
    return flagged


def check_results_file(tc, path, runs, reps=None, ranks=1):
    """Asserts, with unittest.TestCase tc, that the file at path is a complete parkit results
    file holding exactly `runs` (a list of (kernel, model, threads) in the order they ran), every
    run verified with its observed result equal to its expected one, `reps` rep times per run
    (when given) over `ranks` ranks, units on every dataset, and the flat tables pandas reads."""
    with h5py.File(path) as f:
        tc.assertEqual(f.attrs["schema"], "parkit.results")
        tc.assertEqual(f.attrs["schema_version"], 5)
        tc.assertIn("created_utc", f.attrs)
        tc.assertGreaterEqual(len(f["jobs"]), 1)
        for job in f["jobs"].values():
            for key in JOB_KEYS:
                tc.assertIn(key, job.attrs, key)
        tc.assertEqual(len(f["runs"]), len(runs))
        disturbed_reps = []
        for i, (kernel, model, threads) in enumerate(runs):
            run = f[f"runs/run-{i:04d}"]
            tc.assertEqual((run.attrs["kernel"], run.attrs["model"], int(run.attrs["threads"])),
                           (kernel, model, threads))
            tc.assertEqual(int(run.attrs["ranks"]), ranks)
            tc.assertTrue(run.attrs["verified"], f"{kernel} {model}: {run.attrs['observed']}")
            tc.assertEqual(int(run.attrs["failed_reps"]), 0)
            tc.assertEqual(run.attrs["observed"], run.attrs["expected"])
            # how the kernel's own file was compiled, read off inside it
            tc.assertRegex(run.attrs["kernel_build"], r"^(GNU|Clang) .*(optimised|not optimised)")
            rep_count = int(run.attrs["reps"])
            if reps is not None:
                tc.assertEqual(rep_count, reps)
            tc.assertEqual(run["rank_seconds"].shape, (rep_count, ranks))
            tc.assertTrue((run["rank_seconds"][()] > 0).all())
            tc.assertEqual(run["placement/thread_cpus"].shape, (ranks, threads))
            disturbed_reps.append(check_interference(tc, run, f"run-{i:04d} {kernel} {model}",
                                                     rep_count, ranks, threads))
            for name, ds in run.items():
                if isinstance(ds, h5py.Dataset):
                    tc.assertIn("units", ds.attrs, name)
    table = pd.DataFrame(h5py.File(path)["table"][()])  # the one-liner the README shows
    tc.assertEqual(len(table), len(runs))
    tc.assertEqual(list(table["kernel"].str.decode("utf-8")), [k for k, _, _ in runs])
    tc.assertEqual(list(table["model"].str.decode("utf-8")), [m for _, m, _ in runs])
    tc.assertTrue(table["verified"].all())
    tc.assertEqual(table["verified"].dtype, np.bool_)
    tc.assertTrue((table["median_s"] > 0).all())
    tc.assertEqual(list(table["disturbed_reps"]), disturbed_reps)  # version 4, -1: not recorded
    # version 2: /io_runs and /io_table, version 3: /hazard_runs and /hazard_table, always there
    io = pd.DataFrame(h5py.File(path)["io_table"][()])
    tc.assertEqual(list(io.columns)[:4], ["io_run", "job", "driver", "requests"])
    hazards = pd.DataFrame(h5py.File(path)["hazard_table"][()])
    tc.assertEqual(list(hazards.columns)[:5],
                   ["hazard_run", "job", "scenario", "variant", "runtime"])
    with h5py.File(path) as f:
        tc.assertEqual(len(f["io_table"].attrs["units"]), len(io.columns))
        tc.assertEqual(len(f["hazard_table"].attrs["units"]), len(hazards.columns))
