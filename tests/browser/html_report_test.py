#!/usr/bin/python3
"""`parkit report --html` in a real browser: headless Chromium loads the page of a real sweep,
I/O run and hazards run (merged into one file), runs its script, and renders it.

    /usr/bin/python3 tests/browser/html_report_test.py --parkit PATH --chromium PATH [unittest args]

Chromium is required: a missing one fails the test (.ci/install-deps installs it), it is not
skipped.
"""
import argparse
import html.parser
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import matplotlib

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import numpy  # noqa: E402

PARKIT = CHROMIUM = None
WINDOW = (1280, 2000)  # the screenshot's width and height in pixels
SERIES_COLOURS = [(0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E)]  # svg::palette(0), (1): the studies
# elements that never have a closing tag in the serialized DOM
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text_parts = [], []

    def text(self):
        return "".join(p if isinstance(p, str) else p.text() for p in self.text_parts)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find_all(self, tag=None, **attrs):
        """Descendants with this tag (any if None) whose attributes have these values (True: the
        attribute is present, whatever its value)."""
        def matches(node):
            if tag is not None and node.tag != tag:
                return False
            for key, want in attrs.items():
                key = key.replace("_", "-")
                if key not in node.attrs or (want is not True and node.attrs[key] != want):
                    return False
            return True
        return [n for n in self.walk() if n is not self and matches(n)]


class Dom(html.parser.HTMLParser):
    """The element tree of a serialized DOM (Chromium's --dump-dom closes every element)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        self.current.text_parts.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        self.current.text_parts.append(node)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text_parts.append(data)


def run_checked(test, args, **kwargs):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    test.assertEqual(proc.returncode, 0, f"{' '.join(args)}\n{proc.stderr}")
    return proc


def chromium(work, *args):
    """Chromium headless as root (--no-sandbox) with a profile and HOME of its own, so it reads
    and leaves nothing in the user's; its console goes to stderr (--enable-logging)."""
    home = os.path.join(work, "home")
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ, HOME=home)
    env.pop("DISPLAY", None)
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         f"--user-data-dir={os.path.join(home, 'profile')}", "--enable-logging=stderr", "--v=0",
         *args],
        capture_output=True, text=True, timeout=120, env=env)


def console_messages(stderr):
    """What the page said on the console: CSP violations (a load it tried), script errors."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def series_label(study):
    return f'{study["kernel"]} / {study["model"]} ({study["scaling"]})'


def polyline_points(polyline):
    return [tuple(float(v) for v in pair.split(",")) for pair in polyline.attrs["points"].split()]


class HtmlReportInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not CHROMIUM or not os.access(CHROMIUM, os.X_OK):
            raise AssertionError(f"chromium not found ({CHROMIUM}): install it (bash .ci/install-deps "
                                 "installs chromium); this test needs a real browser")
        cls._tmp = tempfile.TemporaryDirectory()
        work = cls.work = cls._tmp.name
        path = lambda name: os.path.join(work, name)  # noqa: E731
        commands = [
            ["sweep", "-k", "sum_squares", "-m", "seq,threads", "--threads", "1,2", "-n", "1e6",
             "--reps", "3", "-o", path("sweep.h5")],
            ["io", "-N", "4", "--delay-ms", "20", "-r", "2", "-d", "sequential,coroutines",
             "-o", path("io.h5")],
            ["hazards", "counter", "--ops", "10000", "-r", "2", "-o", path("hazards.h5")],
            ["merge", path("sweep.h5"), path("io.h5"), path("hazards.h5"), "-o", path("all.h5")],
        ]
        for args in commands:
            proc = subprocess.run([PARKIT, *args], capture_output=True, text=True, timeout=120,
                                  cwd=work)
            if proc.returncode != 0:
                raise AssertionError(f"parkit {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
        report = subprocess.run([PARKIT, "report", "--format", "json", path("all.h5")],
                                capture_output=True, text=True, timeout=120)
        if report.returncode != 0:
            raise AssertionError(report.stderr)
        cls.report = json.loads(report.stdout)
        info = subprocess.run([PARKIT, "info", "--json"], capture_output=True, text=True, timeout=120)
        cls.info = json.loads(info.stdout)

        cls.page = path("report.html")
        cls.written = subprocess.run([PARKIT, "report", path("all.h5"), "--html", cls.page],
                                     capture_output=True, text=True, timeout=120)
        with open(cls.page, encoding="utf-8") as f:
            cls.static = f.read()
        cls.dump = chromium(work, "--dump-dom", "file://" + cls.page)
        cls.dom = Dom(cls.dump.stdout).root
        cls.png = path("report.png")
        cls.shot = chromium(work, f"--screenshot={cls.png}",
                            f"--window-size={WINDOW[0]},{WINDOW[1]}", "file://" + cls.page)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def studies(self, kind):
        return self.dom.find_all("article", data_kind=kind)

    def test_the_page_was_written(self):
        self.assertEqual(self.written.returncode, 0, self.written.stderr)
        self.assertEqual(self.written.stderr, f"parkit: wrote {self.page} (4 studies, 9 runs)\n")
        self.assertIn("sum_squares / threads: strong scaling", self.written.stdout)  # --format table

    def test_chromium_ran_the_script_which_counted_studies_and_runs(self):
        self.assertEqual(self.dump.returncode, 0, self.dump.stderr)
        self.assertIn('<p id="summary"></p>', self.static)  # empty until the script runs
        r = self.report
        kinds = ("studies", "io_studies", "hazard_studies")
        studies = sum(len(r[k]) for k in kinds)
        runs = sum(len(s["points"]) for k in kinds for s in r[k])
        # 2 scaling studies (seq, threads) of 1 + 2 runs, 1 I/O of 2 drivers, 1 hazard of 4 variants
        self.assertEqual((studies, runs), (4, 9))
        summary = self.dom.find_all(id="summary")
        self.assertEqual(len(summary), 1)
        self.assertEqual(summary[0].text(), f"{studies} studies, {runs} runs")
        # the sort script made every column heading focusable
        headings = self.dom.find_all("th", scope="col")
        self.assertTrue(headings)
        self.assertTrue(all(th.attrs.get("tabindex") == "0" for th in headings))

    def test_no_console_message_no_blocked_load_no_script_error(self):
        self.assertEqual(console_messages(self.dump.stderr), [])

    def test_every_scaling_study_with_the_speedups_of_the_json_report(self):
        articles = {a.attrs["data-study"]: a for a in self.studies("scaling")}
        self.assertEqual(sorted(articles), sorted(series_label(s) for s in self.report["studies"]))
        for study in self.report["studies"]:
            with self.subTest(study=series_label(study)):
                article = articles[series_label(study)]
                self.assertIn(f'{study["kernel"]} / {study["model"]}', article.find_all("h3")[0].text())
                header = [th.text() for th in article.find_all("th")]
                rows = article.find_all("tr", data_point=True)
                self.assertEqual(len(rows), len(study["points"]))
                for row, point in zip(rows, study["points"]):
                    cells = row.find_all("td")
                    self.assertEqual(int(cells[header.index("workers")].text()), point["workers"])
                    speedup = cells[header.index("speedup")]
                    self.assertTrue(math.isclose(float(speedup.attrs["data-value"]),
                                                 point["speedup"], rel_tol=1e-12))
                    self.assertEqual(speedup.text(), f'{point["speedup"]:.2f}')
                    efficiency = cells[header.index("efficiency")]
                    self.assertTrue(math.isclose(float(efficiency.attrs["data-value"]),
                                                 point["efficiency"], rel_tol=1e-12))

    def test_one_polyline_point_per_run_drawn_where_its_value_is(self):
        for plot_id, key in (("speedup-plot", "speedup"), ("efficiency-plot", "efficiency")):
            plots = self.dom.find_all("svg", id=plot_id)
            self.assertEqual(len(plots), 1, plot_id)
            lines = {p.attrs["data-series"]: p for p in plots[0].find_all("polyline", **{"class": "series"})}
            self.assertEqual(sorted(lines), sorted(series_label(s) for s in self.report["studies"]))
            for study in self.report["studies"]:
                with self.subTest(plot=plot_id, study=series_label(study)):
                    points = polyline_points(lines[series_label(study)])
                    self.assertEqual(len(points), len(study["points"]))
                    # more workers further right; a higher value higher up (smaller SVG y)
                    values = [p[key] for p in study["points"]]
                    for (x0, y0), (x1, y1), v0, v1 in zip(points, points[1:], values, values[1:]):
                        self.assertLess(x0, x1)
                        if abs(v1 - v0) > 1e-3 * max(abs(v0), abs(v1)):
                            self.assertEqual(y1 < y0, v1 > v0)

    def test_io_and_hazard_studies(self):
        io = self.studies("io")
        self.assertEqual(len(io), len(self.report["io_studies"]))
        expected = self.report["io_studies"][0]
        rows = io[0].find_all("tr", data_point=True)
        self.assertEqual([r.find_all("td")[0].text() for r in rows],
                         [p["driver"] for p in expected["points"]])
        header = [th.text() for th in io[0].find_all("th")]
        for row, point in zip(rows, expected["points"]):
            speedup = row.find_all("td")[header.index("speedup")]
            self.assertTrue(math.isclose(float(speedup.attrs["data-value"]), point["speedup"],
                                         rel_tol=1e-12))
        hazards = self.studies("hazard")
        self.assertEqual(len(hazards), len(self.report["hazard_studies"]))
        expected = self.report["hazard_studies"][0]
        rows = hazards[0].find_all("tr", data_point=True)
        self.assertEqual([r.find_all("td")[0].text() for r in rows],
                         [p["variant"] for p in expected["points"]])
        for row, point in zip(rows, expected["points"]):
            self.assertTrue(row.find_all("td")[-1].text().endswith(point["verdict"]))

    def test_provenance_of_each_job(self):
        provenance = self.dom.find_all("section", id="provenance")[0]
        jobs = provenance.find_all("details", **{"class": "job"})
        self.assertEqual([j.attrs["id"] for j in jobs], ["job-0000", "job-0001", "job-0002"])
        text = provenance.text()
        for shown in ("sweep -k sum_squares", "io -N 4", "hazards counter", self.info["compiler"],
                      self.info["cpu"], "sweep.h5", "io.h5", "hazards.h5"):
            self.assertIn(shown, text)

    def test_the_page_loads_nothing(self):
        self.assertNotIn("http://", self.static)
        self.assertNotIn("https://", self.static)
        self.assertNotIn("url(", self.static)
        self.assertNotIn("@import", self.static)
        static = Dom(self.static).root
        for node in static.walk():
            for attribute in ("src", "href", "xlink:href", "srcset", "action", "data", "poster"):
                value = node.attrs.get(attribute)
                if value is not None:
                    self.assertTrue(value.startswith("#"), f"<{node.tag} {attribute}={value}>")
        csp = static.find_all("meta", http_equiv="Content-Security-Policy")
        self.assertEqual(len(csp), 1)
        self.assertTrue(csp[0].attrs["content"].startswith("default-src 'none';"))

    def test_the_screenshot_shows_text_and_the_plotted_series(self):
        self.assertEqual(self.shot.returncode, 0, self.shot.stderr)
        self.assertEqual(console_messages(self.shot.stderr), [])
        pixels = matplotlib.image.imread(self.png)
        self.assertEqual(pixels.shape[:2], (WINDOW[1], WINDOW[0]))
        rgb = numpy.round(pixels[..., :3] * 255).astype(numpy.uint8)
        flat = rgb.reshape(-1, 3)
        colours = len(numpy.unique(flat, axis=0))
        self.assertGreater(colours, 200, "a blank or flat page: anti-aliased text and lines give "
                                         "hundreds of shades")
        not_white = numpy.any(flat < 240, axis=1).mean()
        self.assertGreater(not_white, 0.03)
        self.assertLess(not_white, 0.6)
        dark = numpy.all(flat < 90, axis=1).sum()  # text: headings, tables, axis labels
        self.assertGreater(dark, 20000, "almost no dark pixels: is there a font? (fonts-dejavu-core)")
        # each scaling study's colour: its swatch and legend key, and for a study of several
        # points its line and markers (a one-point study's marker may hide under another's)
        for study, colour in zip(self.report["studies"], SERIES_COLOURS):
            with self.subTest(study=series_label(study)):
                drawn = numpy.all(flat == colour, axis=1).sum()
                self.assertGreater(drawn, 100 if len(study["points"]) == 1 else 500)


def main():
    global PARKIT, CHROMIUM
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parkit", required=True)
    parser.add_argument("--chromium", required=True)
    args, rest = parser.parse_known_args()
    PARKIT, CHROMIUM = os.path.abspath(args.parkit), args.chromium
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
