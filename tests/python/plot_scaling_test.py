#!/usr/bin/python3
"""Tests of results/plot_scaling.py against the real parkit binary.

    /usr/bin/python3 tests/python/plot_scaling_test.py --parkit PATH --script PATH [unittest args]
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import matplotlib
matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import numpy  # noqa: E402

import parkit_files  # noqa: E402

PARKIT = SCRIPT = None
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(*args):
    # Run directly: this also checks the executable bit and the #!/usr/bin/python3 line.
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=60)


class PlotScalingTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def test_plots_real_sweep(self):
        results = os.path.join(self.tmp, "a.json")
        with open(results, "w") as out:
            sweep = subprocess.run([PARKIT, "sweep", "-k", "sum_squares,sum_squares_array", "-m", "threads",
                                    "--threads", "1,2", "-n", "1e6", "--reps", "3", "--json"],
                                   stdout=out, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(sweep.returncode, 0, sweep.stderr)

        png = os.path.join(self.tmp, "s.png")
        proc = run(results, "-o", png, "--parkit", PARKIT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("s.png", proc.stderr)
        self.assertTrue(os.path.isfile(png))
        with open(png, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], PNG_SIGNATURE)
        self.assertEqual(head[12:16], b"IHDR")
        self.assertEqual(struct.unpack(">II", head[16:24]), (1000, 450))
        pixels = matplotlib.image.imread(png)
        self.assertEqual(pixels.shape[:2], (450, 1000))
        self.assertGreater(float(numpy.std(pixels)), 0.0)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["a.json", "s.png"])  # no temporary left behind

    def test_plots_an_hdf5_file_through_a_link_with_its_reader_found_beside_it(self):
        # as installed: a parkit-plot elsewhere (here a link) finds parkit_results.py in the
        # script's real directory and reads the files' provenance for the caption. Run directly,
        # Python puts that directory on sys.path itself; under -I (isolated: no script directory,
        # no PYTHON* variables) only the script's own sys.path entry finds it.
        results = os.path.join(self.tmp, "a.h5")
        parkit_files.Parkit(PARKIT).sweep(results)
        link = os.path.join(self.tmp, "parkit-plot")
        os.symlink(SCRIPT, link)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        for name, command in (("direct.png", [link]),
                              ("isolated.png", [sys.executable, "-I", link])):
            png = os.path.join(self.tmp, name)
            proc = subprocess.run([*command, results, "-o", png, "--parkit", PARKIT],
                                  capture_output=True, text=True, timeout=60, cwd=self.tmp,
                                  env=env)
            self.assertEqual(proc.returncode, 0, f"{command}: {proc.stderr}")
            self.assertNotIn("warning", proc.stderr)  # the caption was read
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), PNG_SIGNATURE)

    def test_foreign_file_exits_4_without_png(self):
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write("garbage")
        png = os.path.join(self.tmp, "s.png")
        proc = run(bad, "-o", png, "--parkit", PARKIT)
        self.assertEqual(proc.returncode, 4, proc.stderr)
        self.assertIn("bad.json", proc.stderr)
        self.assertFalse(os.path.exists(png))
        self.assertEqual(os.listdir(self.tmp), ["bad.json"])

    def test_no_arguments_is_usage_error(self):
        proc = run()
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)

    def test_missing_parkit_is_usage_error(self):
        proc = run("x.json", "-o", os.path.join(self.tmp, "s.png"),
                   "--parkit", os.path.join(self.tmp, "no-such-parkit"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no-such-parkit", proc.stderr)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parkit", required=True, help="parkit binary")
    ap.add_argument("--script", required=True, help="results/plot_scaling.py")
    args, rest = ap.parse_known_args()
    PARKIT, SCRIPT = os.path.abspath(args.parkit), os.path.abspath(args.script)
    unittest.main(argv=[sys.argv[0], *rest])
