#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The installed kit, as a new user meets it: `cmake --install` into a staging prefix that is then
moved elsewhere, and everything below runs with the source and build trees hidden (a private
mount namespace with an empty tmpfs over each; in a chroot, where no such namespace can be made,
every file access is traced with strace instead and none may go into them), so nothing can
quietly reach back into them.

    /usr/bin/python3 tests/install/install_test.py --source DIR --build DIR --work DIR \
        [--models seq,threads,...] [--mpiexec PATH] stage | clean | [unittest args]

- stage: install the build into WORK/stage, then move it to WORK/moved/parkit (the prefix the
  tests use); clean: remove WORK. CTest runs them as the fixture around the tests.
- the installed binary runs (info, list, run, sweep, parkit-plot); no text file in the prefix
  names the source or build tree, and the binary has no RPATH into them;
- examples/dot, as installed in share/parkit/examples, configures with only find_package(parkit)
  against the moved prefix, builds, and runs under every model this build has (mpi and hybrid
  under mpiexec -n 2), its HDF5 files passing the schema checks a built-in kernel's pass;
- the same example with dot's reference off by one exits 1, under seq and under mpiexec;
- the .deb (cpack) installs with apt on a brand-new minimal Debian 12 root and runs there, and
  every file of both packages is under /usr.
Needs root (mount namespaces; debootstrap and chroot for the .deb).
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from schema_checks import check_results_file  # noqa: E402  (after the path it lives on)

SOURCE = BUILD = WORK = MPIEXEC = HIDE = None
MODELS = []
SUM_SQUARES_1E7 = "333333283333335000000"  # n(n-1)(2n-1)/6 for n = 10^7
EXAMPLE_N = 10**6


def prefix():
    return os.path.join(WORK, "moved", "parkit")


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARKIT_", "SLURM_"))}
    env.update(extra or {})
    return env


def can_hide():
    """A private mount namespace needs / to be a mount point, which it is not in a chroot."""
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                          capture_output=True).returncode == 0


def hidden(*args):
    """args, run with the source and build trees replaced by empty directories, from WORK."""
    script = ('mount -t tmpfs parkit-hidden "$1" && mount -t tmpfs parkit-hidden "$2" && '
              'cd "$3" && shift 3 && exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "hidden",
            BUILD, SOURCE, WORK, *args]


def run(case, *args, code=0, env=None, timeout=600):
    """args, with the source and build trees out of reach: hidden under empty directories where
    a mount namespace can be made, else (in a chroot) with every file access traced, asserting
    that none of them went into either tree."""
    trace = None
    if HIDE:
        command = hidden(*args)
    else:
        fd, trace = tempfile.mkstemp(prefix="strace-", dir=WORK)
        os.close(fd)
        command = ["strace", "-f", "-qq", "-e", "trace=%file", "-o", trace, *args]
    # PWD too: programs check that $PWD still names their directory (it would be the build tree)
    r = subprocess.run(command, capture_output=True, text=True,
                       env=clean_env({**(env or {}), "PWD": WORK}), cwd=WORK, timeout=timeout)
    case.assertEqual(r.returncode, code,
                     f"{' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    if trace:
        with open(trace, errors="replace") as f:
            touched = [line for line in f if SOURCE + "/" in line or BUILD + "/" in line
                       or f'"{SOURCE}"' in line or f'"{BUILD}"' in line]
        os.remove(trace)
        case.assertEqual(touched, [], f"{' '.join(args)} reached into the source or build tree")
    return r


def mpiexec(ranks, *args):
    return [MPIEXEC, "-n", str(ranks), *args]


def build_example(case, name, edit=None):
    """Copies the installed example to WORK/name, applies edit(source dir), configures it against
    the moved prefix with only find_package(parkit), and builds it: the path of its binary."""
    src = os.path.join(WORK, name, "src")
    if not os.path.isdir(src):
        shutil.copytree(os.path.join(prefix(), "share", "parkit", "examples", "dot"), src)
        if edit:
            edit(src)
    build = os.path.join(WORK, name, "build")
    binary = os.path.join(build, "dot")
    if not os.path.exists(binary):
        run(case, "cmake", "-S", src, "-B", build, "-G", "Ninja",
            f"-DCMAKE_PREFIX_PATH={prefix()}")
        run(case, "cmake", "--build", build)
    return binary


class InstalledKit(unittest.TestCase):
    def test_installed_binary_runs_with_the_build_tree_hidden(self):
        parkit = os.path.join(prefix(), "bin", "parkit")
        info = run(self, parkit, "info").stdout
        self.assertIn("kernel paths", info)
        listed = run(self, parkit, "list").stdout
        for kernel in ("sum_squares", "square_map", "sum_squares_array", "triad", "copy"):
            self.assertIn(f"  {kernel} ", listed)
        out = run(self, parkit, "run", "-k", "sum_squares", "-n", "1e7", "-m", ",".join(MODELS),
                  "--no-output").stdout
        self.assertEqual(out.count(SUM_SQUARES_1E7), len(MODELS), out)
        # a results file, and the installed parkit-plot drawing it with the parkit beside it
        study = os.path.join(WORK, "installed-sweep.h5")
        run(self, parkit, "sweep", "-k", "sum_squares", "-m", "threads", "--threads", "1,2",
            "-n", "1e6", "-o", study, "--force")
        png = os.path.join(WORK, "installed-sweep.png")
        run(self, os.path.join(prefix(), "bin", "parkit-plot"), study, "-o", png)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        # the pandas reader, installed beside parkit-plot, reads the file (the trees hidden too)
        reader = run(self, sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                     "import parkit_results; r = parkit_results.read(sys.argv[2]); "
                     "print(len(r.runs), len(r.reps), r.runs['reps'].sum())",
                     os.path.join(prefix(), "bin"), study)
        runs, reps, reps_of_runs = reader.stdout.split()
        self.assertEqual(runs, "2")  # threads 1 and 2
        self.assertEqual(reps, reps_of_runs)  # one row per rep

    def test_no_path_of_the_source_or_build_tree_in_the_prefix(self):
        roots = [os.path.realpath(SOURCE), os.path.realpath(BUILD)]
        checked = 0
        for path in glob.glob(os.path.join(prefix(), "**", "*"), recursive=True):
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            if data.startswith(b"\x7fELF"):
                dynamic = subprocess.run(["readelf", "-d", path], capture_output=True,
                                         text=True).stdout
                for root in roots:
                    self.assertNotIn(root, dynamic, f"{path}: RPATH into {root}")
                continue
            if path.endswith(".a"):  # static archives: object code (debug strings are not paths
                continue             # anything is loaded from)
            for root in roots:
                self.assertNotIn(root.encode(), data, f"{path} names {root}")
            checked += 1
        self.assertGreater(checked, 20)  # the CMake package, headers, scripts, modulefile

    def test_example_builds_with_find_package_and_runs_every_model(self):
        dot = build_example(self, "example")
        listed = run(self, dot, "list").stdout
        self.assertIn("  dot ", listed)
        self.assertIn("  histogram ", listed)
        self.assertNotIn("  sum_squares ", listed)  # parkit::main alone: no built-in kernels
        self.assertIn("kernel paths", run(self, dot, "info").stdout)
        out_dir = os.path.join(WORK, "example-results")
        os.makedirs(out_dir, exist_ok=True)
        local_models = [m for m in MODELS if m in ("seq", "threads", "openmp")]
        path = os.path.join(out_dir, "local.h5")
        run(self, dot, "run", "-k", "dot,histogram", "-m", ",".join(local_models),
            "--threads", "2", "-n", str(EXAMPLE_N), "--reps", "3", "-o", path, "--force")
        threads = {"seq": 1, "threads": 2, "openmp": 2}
        check_results_file(self, path, reps=3, runs=[
            (k, m, threads[m]) for k in ("dot", "histogram") for m in local_models])
        rank_models = [m for m in MODELS if m in ("mpi", "hybrid")]
        if rank_models:
            path = os.path.join(out_dir, "ranks.h5")
            run(self, *mpiexec(2, dot, "run", "-k", "dot,histogram", "-m", ",".join(rank_models),
                               "--threads", "1", "-n", str(EXAMPLE_N), "--reps", "3", "-o", path,
                               "--force"),
                env={"OMP_NUM_THREADS": "1"})
            check_results_file(self, path, reps=3, ranks=2, runs=[
                (k, m, 1) for k in ("dot", "histogram") for m in rank_models])
        path = os.path.join(out_dir, "sweep.h5")
        run(self, dot, "sweep", "-k", "dot", "-m", "threads", "--threads", "1,2", "-n",
            str(EXAMPLE_N), "--reps", "3", "-o", path, "--force")
        check_results_file(self, path, reps=3, runs=[("dot", "threads", 1), ("dot", "threads", 2)])
        report = run(self, dot, "report", path).stdout
        self.assertIn("dot", report)
        self.assertIn("speedup", report.lower())

    def test_exact_results_of_the_example_kernels(self):
        dot = build_example(self, "example")
        out = run(self, dot, "run", "-k", "dot,histogram", "-m", "seq", "-n", "7003",
                  "--no-output", "--json").stdout
        observed = {r["kernel"]: r["verification"]["observed"] for r in json.loads(out)["runs"]}
        # dot over 7003 elements: one full period (500500 * 28) plus i = 7000, 7001, 7002
        tail = sum((i % 1000 + 1) * (i % 7 + 1) for i in range(7000, 7003))
        self.assertEqual(observed["dot"], str(500500 * 28 + tail))
        # histogram over 7003: 7 periods of 1000 (63 in bins 0-7, 62 in 8-15) plus 0, 1, 2
        bins = [7 * (63 if b < 8 else 62) + (1 if b < 3 else 0) for b in range(16)]
        self.assertEqual(observed["histogram"], "[" + " ".join(map(str, bins)) + "]")

    def test_a_wrong_kernel_exits_1(self):
        def off_by_one(src):
            path = os.path.join(src, "dot.cpp")
            with open(path) as f:
                text = f.read()
            exact = "return static_cast<double>(exact);"
            self.assertIn(exact, text)
            with open(path, "w") as f:
                f.write(text.replace(exact, "return static_cast<double>(exact) + 1;"))

        dot = build_example(self, "wrong-example", edit=off_by_one)
        r = run(self, dot, "run", "-k", "dot", "-m", "seq", "-n", "1e5", "--no-output", code=1)
        self.assertIn("verif", (r.stdout + r.stderr).lower())
        if "mpi" in MODELS:
            run(self, *mpiexec(2, dot, "run", "-k", "dot", "-m", "mpi", "-n", "1e5",
                               "--no-output"), code=1)


class DebianPackage(unittest.TestCase):
    """cpack's .deb on a brand-new minimal Debian 12 root: apt-get install, then run."""

    def test_deb_installs_on_a_fresh_debian_and_runs(self):
        out = os.path.join(WORK, "deb")
        os.makedirs(out, exist_ok=True)
        made = subprocess.run(["cpack", "-G", "DEB", "-B", out, "--config",
                               os.path.join(BUILD, "CPackConfig.cmake")], capture_output=True,
                              text=True, cwd=BUILD)
        self.assertEqual(made.returncode, 0, f"cpack:\n{made.stdout}\n{made.stderr}")
        runtime = glob.glob(os.path.join(out, "parkit_*_amd64.deb"))
        dev = glob.glob(os.path.join(out, "parkit-dev_*_amd64.deb"))
        self.assertEqual((len(runtime), len(dev)), (1, 1), os.listdir(out))
        depends = subprocess.run(["dpkg-deb", "-f", runtime[0], "Depends"], capture_output=True,
                                 text=True, check=True).stdout
        for package in ("libhdf5-openmpi-103-1", "libfmt9"):
            self.assertIn(package, depends)
        if "mpi" in MODELS:
            self.assertIn("libopenmpi3", depends)
        for deb in runtime + dev:  # every file under /usr
            listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True,
                                     check=True).stdout
            paths = [line.split()[5] for line in listing.splitlines()]
            outside = [p for p in paths if p not in ("./", "./usr/") and not p.startswith("./usr/")]
            self.assertEqual(outside, [], deb)
        root = fresh_debian_root(os.path.join(WORK, "debian-root"))
        try:
            shutil.copy(runtime[0], os.path.join(root, "tmp"))
            deb = "/tmp/" + os.path.basename(runtime[0])
            chroot(self, root, "apt-get", "install", "-y", "-q", "--no-install-recommends", deb,
                   timeout=900)
            listed = chroot(self, root, "dpkg", "-L", "parkit").stdout.split()
            self.assertIn("/usr/bin/parkit", listed)
            self.assertEqual([p for p in listed if p != "/." and not p.startswith("/usr")], [])
            chroot(self, root, "parkit", "info")
            out = chroot(self, root, "parkit", "run", "-k", "sum_squares", "-n", "1e7",
                         "--no-output").stdout
            self.assertIn(SUM_SQUARES_1E7, out)
        finally:
            release_root(root)


def fresh_debian_root(root):
    """A minimal Debian 12 root (debootstrap, cached as a tarball; the same suites and mirror as
    this machine), with /proc, /sys and /dev mounted."""
    cache = os.environ.get("PARKIT_DEBIAN_CACHE", "/var/cache/parkit/bookworm-minbase.tar")
    if not os.path.exists(cache):
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        if shutil.which("debootstrap") is None:
            raise RuntimeError("no debootstrap: apt-get install debootstrap (.ci/install-deps does)")
        mirror = "http://deb.debian.org/debian"
        sources = "/etc/apt/sources.list.d/debian.sources"
        if os.path.exists(sources):
            with open(sources) as f:
                uris = [line.split()[1] for line in f if line.startswith("URIs:")]
            mirror = uris[0] if uris else mirror
        staging = tempfile.mkdtemp(prefix="parkit-debootstrap-")
        subprocess.run(["debootstrap", "--variant=minbase", "bookworm", staging, mirror],
                       check=True, capture_output=True)
        subprocess.run(["tar", "-C", staging, "-cf", cache + ".part", "."], check=True)
        os.replace(cache + ".part", cache)
        shutil.rmtree(staging)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    subprocess.run(["tar", "-C", root, "-xf", cache], check=True)
    for name in ("/etc/resolv.conf", "/etc/apt/sources.list.d/debian.sources"):
        if os.path.exists(name):
            shutil.copy(name, root + name)
            if name.endswith("debian.sources") and os.path.exists(root + "/etc/apt/sources.list"):
                os.remove(root + "/etc/apt/sources.list")
    subprocess.run(["mount", "-t", "proc", "proc", root + "/proc"], check=True)
    subprocess.run(["mount", "--rbind", "/sys", root + "/sys"], check=True)
    subprocess.run(["mount", "--rbind", "/dev", root + "/dev"], check=True)
    subprocess.run(["chroot", root, "apt-get", "update", "-q"], check=True, capture_output=True)
    return root


def release_root(root):
    for mount in ("dev", "sys"):
        subprocess.run(["umount", "-R", f"{root}/{mount}"], capture_output=True)
    subprocess.run(["umount", f"{root}/proc"], capture_output=True)
    subprocess.run(["rm", "-rf", "--one-file-system", root], capture_output=True)


def chroot(case, root, *args, timeout=300):
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
           "DEBIAN_FRONTEND": "noninteractive"}
    r = subprocess.run(["chroot", root, *args], capture_output=True, text=True, env=env,
                       timeout=timeout)
    case.assertEqual(r.returncode, 0, f"{' '.join(args)} exited {r.returncode}:\n{r.stdout}\n"
                                      f"{r.stderr}")
    return r


def stage():
    """cmake --install into WORK/stage, then the prefix moved to WORK/moved/parkit."""
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(os.path.join(WORK, "moved"))
    staging = os.path.join(WORK, "stage")
    subprocess.run(["cmake", "--install", BUILD, "--prefix", staging], check=True,
                   stdout=subprocess.DEVNULL)
    os.rename(staging, prefix())
    print(f"installed {BUILD} into {staging}, moved to {prefix()}")


def main():
    global SOURCE, BUILD, WORK, MPIEXEC, MODELS, HIDE
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True, help="outside the source and build trees")
    ap.add_argument("--models", default="seq,threads", help="the models this build has")
    ap.add_argument("--mpiexec", default="mpiexec")
    args, rest = ap.parse_known_args()
    SOURCE, BUILD, WORK = (os.path.realpath(p) for p in (args.source, args.build, args.work))
    MPIEXEC, MODELS = args.mpiexec, args.models.split(",")
    for tree in (SOURCE, BUILD):
        if WORK == tree or WORK.startswith(tree + os.sep):
            ap.error(f"--work {WORK} is inside {tree}, which the tests hide")
    HIDE = can_hide() and os.environ.get("PARKIT_INSTALL_TRACE") != "1"  # 1: trace here too
    if rest == ["stage"]:
        stage()
    elif rest == ["clean"]:
        shutil.rmtree(WORK, ignore_errors=True)
    else:
        unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
