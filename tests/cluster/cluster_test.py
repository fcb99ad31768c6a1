#!/usr/bin/python3
"""The cluster scripts for real: a local Slurm (cluster/local/slurm-up) running every batch
script of cluster/slurm/ with tiny sizes, MPI across three network-namespace hosts, and a job
over two slurmd "nodes". CTest brings the cluster up and down as fixtures (cluster_up,
cluster_down); each test here only submits and checks.

    /usr/bin/python3 tests/cluster/cluster_test.py --parkit PATH --source DIR [unittest args]

What a test asserts: the job completed; every job step wrote its own HDF5 file into the job's
results directory, named with the job and step ids, verified, with the Slurm job geometry
(SLURM_JOB_ID, SLURM_STEP_ID, tasks, CPUs per task) in its provenance; the merged study file
holds every step's runs and `parkit report` shows them; hosts are really distinct across
namespaces and results exact.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import h5py

PARKIT = None
SOURCE = None
INSTALLED = None  # an installed prefix (--installed-prefix), for the installed-kit case
JOB_TIMEOUT_S = 180

# Σ_{i<n} i² for the sizes used here: the exact results the runs must show.
SUM_SQUARES = {10**6: "333332833333500000", 10**7: "333333283333335000000"}

# Open MPI between the namespace hosts: TCP over 127.0.1.0/24 (its default excludes 127/8).
NODE_MPI_ENV = {
    "OMPI_MCA_btl_tcp_if_include": "127.0.1.0/24",
    "OMPI_MCA_oob_tcp_if_include": "127.0.1.0/24",
    "OMPI_MCA_btl_tcp_disable_family": "6",
}
NODES_SLURM_CONF = "/run/parkit-nodes/slurm.conf"


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARKIT_", "SLURM_"))}
    env.update(extra or {})
    return env


def run(*args, env=None, check=True, timeout=300):
    r = subprocess.run(list(args), capture_output=True, text=True, env=env or clean_env(),
                       timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def local(script):
    return os.path.join(SOURCE, "cluster", "local", script)


def text(value):
    """h5py gives fixed-length strings as bytes, variable-length ones as str."""
    return value.decode() if isinstance(value, bytes) else value


def read_text_attrs(group):
    return {k: text(v) for k, v in group.attrs.items()}


class Job:
    """One submitted batch job: its id, where its output and results go."""

    def __init__(self, case, script, sbatch_args=(), env=None, on_node=None, home=None):
        """home: parkit's home the job uses (default the checkout, with PARKIT set to the binary
        under test); another home (an install's share/parkit) is on its own, PARKIT unset."""
        self.dir = tempfile.mkdtemp(prefix=f"parkit-cluster-{script.split('.')[0]}-")
        self.results = os.path.join(self.dir, "results")
        self.on_node = on_node
        self.home = home or SOURCE
        exports = {"PARKIT_HOME": self.home, "PARKIT_RESULTS_DIR": self.results}
        if home is None:
            exports["PARKIT"] = PARKIT
        exports.update(env or {})
        self.env = clean_env(exports)
        if on_node:
            self.env["SLURM_CONF"] = NODES_SLURM_CONF
            self.env.update(NODE_MPI_ENV)
        out = subprocess.run(
            self.prefix() + ["sbatch", "--parsable", f"--chdir={self.dir}",
                             f"--output={self.dir}/%x-%j.out", *sbatch_args,
                             os.path.join(self.home, "cluster", "slurm", script)],
            capture_output=True, text=True, env=self.env)
        case.assertEqual(out.returncode, 0, out.stderr)
        self.id = out.stdout.strip().split(";")[0]

    def prefix(self):
        return [local("nsrun"), self.on_node] if self.on_node else []

    def states(self):
        """{job id: (state, exit code)} of the job (every task of an array)."""
        r = subprocess.run(self.prefix() + ["scontrol", "-o", "show", "job", self.id],
                           capture_output=True, text=True, env=self.env)
        states = {}
        for line in r.stdout.splitlines():
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            states[fields.get("JobId")] = (fields.get("JobState"), fields.get("ExitCode"))
        return states

    def wait(self, case):
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while time.monotonic() < deadline:
            states = self.states()
            if states and all(s in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                                    "OUT_OF_MEMORY") for s, _ in states.values()):
                break
            time.sleep(0.3)
        else:
            subprocess.run(self.prefix() + ["scancel", self.id], env=self.env)
            case.fail(f"job {self.id} not done within {JOB_TIMEOUT_S} s: {self.states()}\n"
                      + self.output())
        for job, (state, code) in states.items():
            case.assertEqual((state, code), ("COMPLETED", "0:0"),
                             f"job {job}:\n" + self.output())

    def output(self):
        text = ""
        for path in sorted(glob.glob(os.path.join(self.dir, "*.out"))):
            with open(path, encoding="utf-8", errors="replace") as f:
                text += f"--- {path}\n{f.read()}"
        return text

    def step_files(self):
        return sorted(glob.glob(os.path.join(self.results, "parkit-*.h5")))


class ClusterTest(unittest.TestCase):
    def check_steps(self, job, expected_steps, tasks_by_step=None, cpus_per_task=None):
        """Every step's own file: named with job and step id, verified, Slurm's geometry."""
        files = job.step_files()
        self.assertEqual(len(files), expected_steps, job.output())
        steps = set()
        for path in files:
            with h5py.File(path, "r") as f:
                env = read_text_attrs(f["jobs/job-0000/environment"])
                self.assertEqual(env.get("SLURM_ARRAY_JOB_ID", env["SLURM_JOB_ID"]), job.id)
                step = int(env["SLURM_STEP_ID"])
                steps.add((env["SLURM_JOB_ID"], step))
                self.assertTrue(
                    os.path.basename(path).endswith(f"-{env['SLURM_JOB_ID']}-{step}.h5"), path)
                ranks = int(f["jobs/job-0000"].attrs["ranks"])
                self.assertEqual(int(env["SLURM_STEP_NUM_TASKS"]), ranks)
                if tasks_by_step is not None:
                    self.assertEqual(ranks, tasks_by_step[step], path)
                if cpus_per_task is not None:
                    self.assertEqual(int(env["SLURM_CPUS_PER_TASK"]), cpus_per_task)
                for run_name in f["runs"]:
                    self.assertTrue(bool(f["runs"][run_name].attrs["verified"]), path)
        self.assertEqual(len(steps), expected_steps)  # each step its own file

    def check_study(self, job, runs):
        study = os.path.join(job.results, "study.h5")
        self.assertTrue(os.path.exists(study), job.output())
        with h5py.File(study, "r") as f:
            self.assertEqual(len(f["runs"]), runs)
        report = run(PARKIT, "report", "--format", "json", study)
        points = sum(len(s["points"]) for s in json.loads(report.stdout)["studies"])
        self.assertEqual(points, runs)
        self.assertIn("speedup", job.output())  # the job printed its report at the end
        return study

    def test_strong_one_step_per_rank_count_then_merge_and_report(self):
        job = Job(self, "strong.sbatch", env={"PARKIT_RANKS": "1 2 4", "PARKIT_N": "1e6"})
        job.wait(self)
        self.check_steps(job, 3, tasks_by_step={0: 1, 1: 2, 2: 4})
        with h5py.File(self.check_study(job, 3), "r") as f:
            for name in f["runs"]:
                run_ = f["runs"][name]
                self.assertEqual(text(run_.attrs["observed"]), SUM_SQUARES[10**6])
                self.assertEqual(int(run_.attrs["n_global"]), 10**6)  # strong: n global fixed

    def test_weak_keeps_n_per_rank(self):
        job = Job(self, "weak.sbatch", env={"PARKIT_RANKS": "1 2", "PARKIT_N": "1e5"})
        job.wait(self)
        self.check_steps(job, 2, tasks_by_step={0: 1, 1: 2})
        with h5py.File(self.check_study(job, 2), "r") as f:
            per_rank = {int(f["runs"][r].attrs["n_per_rank"]) for r in f["runs"]}
            self.assertEqual(per_rank, {10**5})

    def test_hybrid_ranks_times_threads_with_cpus_per_task(self):
        job = Job(self, "hybrid.sbatch", env={"PARKIT_N": "1e6"})
        job.wait(self)
        # ranks 1 and 2 (the allocation's tasks) x threads 1 and 2 (its --cpus-per-task)
        self.check_steps(job, 4, tasks_by_step={0: 1, 1: 1, 2: 2, 3: 2}, cpus_per_task=2)
        with h5py.File(self.check_study(job, 4), "r") as f:
            shapes = sorted((int(f["runs"][r].attrs["ranks"]), int(f["runs"][r].attrs["threads"]))
                            for r in f["runs"])
            self.assertEqual(shapes, [(1, 1), (1, 2), (2, 1), (2, 2)])
            self.assertEqual({text(f["runs"][r].attrs["model"]) for r in f["runs"]}, {"hybrid"})

    def test_threads_sweep_in_one_step(self):
        job = Job(self, "threads.sbatch", sbatch_args=["--cpus-per-task=4"],
                  env={"PARKIT_N": "1e6", "PARKIT_KERNELS": "sum_squares"})
        job.wait(self)
        self.check_steps(job, 1, cpus_per_task=4)
        # threads and openmp at 1, 2, 4 threads
        self.check_study(job, 6)

    def test_array_one_point_per_task_and_the_last_merges(self):
        job = Job(self, "array.sbatch", sbatch_args=["--array=0-2"],
                  env={"PARKIT_POINTS": "sum_squares:1e6:1 sum_squares:1e6:2 triad:1e5:2"})
        job.wait(self)
        files = job.step_files()
        self.assertEqual(len(files), 3, job.output())
        tasks = set()
        for path in files:
            with h5py.File(path, "r") as f:
                env = read_text_attrs(f["jobs/job-0000/environment"])
                self.assertEqual(env["SLURM_ARRAY_JOB_ID"], job.id)
                tasks.add(env["SLURM_ARRAY_TASK_ID"])
        self.assertEqual(tasks, {"0", "1", "2"})
        with h5py.File(os.path.join(job.results, "study.h5"), "r") as f:
            self.assertEqual(len(f["runs"]), 3)

    def test_mpirun_across_three_namespace_hosts(self):
        run(local("nodes-up"), "3")
        out = tempfile.mkdtemp(prefix="parkit-cluster-ns-")
        path = os.path.join(out, "three-hosts.h5")
        r = run(local("ns-mpirun"), "node1:2,node2:1,node3:1", "-n", "4", PARKIT, "run",
                "-m", "mpi", "-k", "sum_squares", "-n", "1e7", "--reps", "2", "-o", path)
        with h5py.File(path, "r") as f:
            hosts = [text(h) for h in f["jobs/job-0000"].attrs["hosts"]]
            self.assertEqual(sorted(set(hosts)), ["node1", "node2", "node3"], r.stdout)
            self.assertEqual(len(hosts), 4)
            run_ = f["runs/run-0000"]
            self.assertTrue(bool(run_.attrs["verified"]))
            self.assertEqual(text(run_.attrs["observed"]), SUM_SQUARES[10**7])

    def test_sbatch_over_two_slurmd_nodes(self):
        run(local("nodes-up"), "2", "--slurm")
        job = Job(self, "strong.sbatch",
                  sbatch_args=["--nodes=2", "--ntasks=2", "--ntasks-per-node=1"],
                  env={"PARKIT_RANKS": "1 2", "PARKIT_N": "1e6"}, on_node="node1")
        job.wait(self)
        self.check_steps(job, 2, tasks_by_step={0: 1, 1: 2})
        two_ranks = [p for p in job.step_files() if p.endswith("-1.h5")][0]
        with h5py.File(two_ranks, "r") as f:
            hosts = sorted(text(h) for h in f["jobs/job-0000"].attrs["hosts"])
            self.assertEqual(hosts, ["node1", "node2"])

    def test_installed_scripts_run_the_installed_parkit(self):
        # the scripts as installed (<prefix>/share/parkit/cluster), PARKIT_HOME as the module sets
        # it, no PARKIT and no parkit on PATH: job.sh finds <prefix>/bin/parkit
        self.assertIsNotNone(INSTALLED, "needs --installed-prefix (ctest -L install stages one)")
        home = os.path.join(INSTALLED, "share", "parkit")
        job = Job(self, "strong.sbatch", home=home,
                  env={"PARKIT_RANKS": "1 2", "PARKIT_N": "1e6"})
        job.wait(self)
        self.check_steps(job, 2, tasks_by_step={0: 1, 1: 2})
        binary = os.path.realpath(os.path.join(INSTALLED, "bin", "parkit"))
        self.assertIn(binary, job.output())  # job.sh names the binary it chose
        for path in job.step_files():
            with h5py.File(path, "r") as f:
                self.assertTrue(text(f["jobs/job-0000"].attrs["command_line"]).startswith(binary))
        self.check_study(job, 2)


def main():
    global PARKIT, SOURCE, INSTALLED
    parser = argparse.ArgumentParser()
    parser.add_argument("--parkit", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--installed-prefix")
    args, rest = parser.parse_known_args()
    PARKIT = os.path.abspath(args.parkit)
    SOURCE = os.path.abspath(args.source)
    INSTALLED = args.installed_prefix and os.path.abspath(args.installed_prefix)
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
