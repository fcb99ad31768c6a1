#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Every ```python block of results/SCHEMA.md runs, as written, on files the built parkit wrote.

    /usr/bin/python3 tests/python/schema_examples_test.py --parkit PATH --results-dir DIR \
        [unittest args]

The convention, stated at the top of SCHEMA.md's "Reading it": each block stands alone (it
imports what it uses) and reads `study.h5` from the current directory, which here is a `parkit
merge` of a sweep, an I/O job and a hazards job (parkit_files.Parkit.study), with results/ on
sys.path. A block that reads through parkit_results and not h5py also runs against study.h5
rewritten as versions 1 to 4 wrote it: the reader promises the same frames for every version.
A block that raises (an assert included) fails the test, with the SCHEMA.md line it failed on.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import traceback
import unittest

import parkit_files

parkit = None  # parkit_files.Parkit
SCHEMA_MD = None  # results/SCHEMA.md
WORK = None  # tempfile.TemporaryDirectory: v5/study.h5 (as written), v1/study.h5 ... v4/


def python_blocks(markdown):
    """The ```python blocks of markdown text: (line of the block's first code line, code)."""
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```", markdown, re.S | re.M):
        blocks.append((markdown.count("\n", 0, match.start(1)) + 1, match.group(1)))
    return blocks


def reads_through_the_reader_only(code):
    return "parkit_results" in code and "h5py" not in code


def run_block(code, line, filename, directory):
    """Runs code in a namespace of its own with directory as the current directory; a
    traceback names filename and the line there (the code is compiled at its own line)."""
    compiled = compile("\n" * (line - 1) + code, filename, "exec")
    here = os.getcwd()
    os.chdir(directory)
    try:
        exec(compiled, {"__name__": "__schema_example__"})
    finally:
        os.chdir(here)


class SchemaExamples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA_MD) as f:
            cls.blocks = python_blocks(f.read())

    def run_blocks(self, blocks, version):
        directory = os.path.join(WORK.name, f"v{version}")
        for line, code in blocks:
            with self.subTest(version=version, line=line, first=code.splitlines()[0]):
                run_block(code, line, SCHEMA_MD, directory)

    def test_schema_md_has_examples_with_h5py_and_with_the_reader(self):
        self.assertTrue(any("h5py" in code for _, code in self.blocks), "no h5py example")
        self.assertTrue(any(reads_through_the_reader_only(code) for _, code in self.blocks),
                        "no parkit_results example")

    def test_every_block_runs_on_a_file_of_this_parkit(self):
        self.run_blocks(self.blocks, 5)

    def test_the_readers_blocks_run_on_every_older_version(self):
        blocks = [b for b in self.blocks if reads_through_the_reader_only(b[1])]
        for version in (1, 2, 3, 4):
            self.run_blocks(blocks, version)


class TheRunnerItself(unittest.TestCase):
    """What the test above stands on: it finds the blocks, and a block that fails fails it."""

    def test_finds_python_blocks_only_at_their_lines(self):
        text = "# t\n\n```python\nx = 1\n```\n\n```sh\nls\n```\n```python\ny = 2\nz = 3\n```\n"
        self.assertEqual(python_blocks(text), [(4, "x = 1\n"), (11, "y = 2\nz = 3\n")])

    def test_a_failing_block_raises_naming_its_line(self):
        with tempfile.TemporaryDirectory() as d:
            run_block("assert 1 + 1 == 2\n", 7, "SCHEMA.md", d)
            try:  # (assertRaises would drop the traceback this test reads)
                run_block("x = 1\nassert x == 2\n", 7, "SCHEMA.md", d)
                self.fail("a failing block did not raise")
            except AssertionError as e:
                innermost = traceback.extract_tb(e.__traceback__)[-1]
        self.assertEqual((innermost.filename, innermost.lineno), ("SCHEMA.md", 8))


def make_files(work):
    """work/v5/study.h5 from the parkit under test, and work/v1 ... v4/study.h5 rewritten from
    it as those versions wrote it."""
    os.makedirs(os.path.join(work, "v5"))
    study = parkit.study(os.path.join(work, "v5"))
    for version in (1, 2, 3, 4):
        old = os.path.join(work, f"v{version}", "study.h5")
        os.makedirs(os.path.dirname(old))
        shutil.copy(study, old)
        parkit_files.make_old_version(old, version)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--parkit", required=True)
    ap.add_argument("--results-dir", required=True,
                    help="where SCHEMA.md and parkit_results.py are")
    args, rest = ap.parse_known_args()
    parkit = parkit_files.Parkit(args.parkit)
    results_dir = os.path.abspath(args.results_dir)
    SCHEMA_MD = os.path.join(results_dir, "SCHEMA.md")
    sys.path.insert(0, results_dir)  # the examples `import parkit_results`
    WORK = tempfile.TemporaryDirectory()
    try:
        make_files(WORK.name)
        outcome = unittest.main(argv=[sys.argv[0], *rest], exit=False)
    finally:
        WORK.cleanup()
    sys.exit(0 if outcome.result.wasSuccessful() else 1)
