#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks of parkit's packaging that need no build, against the options of the top-level
CMakeLists.txt: the Spack recipe (packaging/spack/package.py, read with ast and never imported, as
Spack is not installed here) and the Lmod modulefile (packaging/lmod/parkit.lua.in).

    /usr/bin/python3 tests/packaging/packaging_test.py --source DIR [--modulefile PATH] \
        [--lua PATH] [--luac PATH] [unittest args]

- --modulefile: the modulefile CMake configured from the template. Without it the test configures
  one itself, as configure_file(@ONLY) would: PROJECT_VERSION and PROJECT_DESCRIPTION from
  project(parkit ...), both options ON, GNUInstallDirs' bin, lib, include and share.
- --lua, --luac: default, the first of lua5.4, lua5.3, lua5.2, lua5.1, lua (luac5.4, ..., luac) on
  PATH. The modulefile checks run the real luac and lua under a stand-in for Lmod; without them
  they fail (Debian: apt-get install lua5.4), never skip.
"""
import argparse
import ast
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE = MODULEFILE = LUA = LUAC = None
LUA_NAMES = ("lua5.4", "lua5.3", "lua5.2", "lua5.1", "lua")
LUAC_NAMES = ("luac5.4", "luac5.3", "luac5.2", "luac5.1", "luac")

RECIPE = os.path.join("packaging", "spack", "package.py")
TEMPLATE = os.path.join("packaging", "lmod", "parkit.lua.in")
# The CMake variables the template may use besides options: set by project() and by
# include(GNUInstallDirs) before packaging/CMakeLists.txt configures it.
KNOWN_VARIABLES = {"PROJECT_VERSION", "PROJECT_DESCRIPTION", "CMAKE_INSTALL_BINDIR",
                   "CMAKE_INSTALL_LIBDIR", "CMAKE_INSTALL_INCLUDEDIR", "CMAKE_INSTALL_DATADIR"}
GNU_INSTALL_DIRS = {"CMAKE_INSTALL_BINDIR": "bin", "CMAKE_INSTALL_LIBDIR": "lib",
                    "CMAKE_INSTALL_INCLUDEDIR": "include", "CMAKE_INSTALL_DATADIR": "share"}
# What configure_file replaces in @ONLY mode (CMake's own pattern, cmMakefile.cxx).
PLACEHOLDER = re.compile(r"@([A-Za-z_0-9/.+-]+)@")
# The options the Spack variants stand for: every PARKIT_ENABLE_* option needs a variant.
VARIANT_OPTION = re.compile(r"PARKIT_ENABLE_\w+")
# Where the modulefile is installed under the prefix (packaging/CMakeLists.txt).
MODULE_TAIL = "share/parkit/modulefiles/parkit"
# Install prefixes to load the modulefile from: it must follow a moved install, '-', '.', '+',
# '%' and a space must not upset it (no Lua pattern), and /usr (the .deb's) and / work too.
PREFIXES = ("/opt/apps/parkit-0.1.0", "/tmp/moved here/parkit+mpi-v0.1.0%x", "/usr", "/")


def read(*parts):
    with open(os.path.join(*parts), encoding="utf-8") as f:
        return f.read()


# --- the top-level CMakeLists.txt

def strip_cmake_comments(text):
    """text without its `#` comments (a `#` inside a quoted argument stays)."""
    out, quoted, i = [], False, 0
    while i < len(text):
        c = text[i]
        if quoted and c == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif c == "#" and not quoted:
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        out.append(c)
        i += 1
    return "".join(out)


def cmake_options(cmakelists):
    """{name: default} for every option() of a CMakeLists.txt (OFF when it gives none)."""
    pattern = re.compile(r'^[ \t]*option[ \t]*\(\s*(\w+)\s+"(?:[^"\\]|\\.)*"\s*([^\s)]*)\s*\)',
                         re.M | re.I)
    return {m.group(1): (m.group(2) or "OFF")
            for m in pattern.finditer(strip_cmake_comments(cmakelists))}


def cmake_project(cmakelists):
    """(VERSION, DESCRIPTION or None) of project(parkit ...)."""
    m = re.search(r"^[ \t]*project[ \t]*\(\s*parkit\b([^)]*)\)", strip_cmake_comments(cmakelists),
                  re.M | re.I)
    if not m:
        raise AssertionError("no project(parkit ...) in CMakeLists.txt")
    version = re.search(r"\bVERSION\s+(\d+(?:\.\d+){0,3})\b", m.group(1))
    if not version:
        raise AssertionError(f"project(parkit{m.group(1)}) gives no VERSION")
    description = re.search(r'\bDESCRIPTION\s+"((?:[^"\\]|\\.)*)"', m.group(1))
    return version.group(1), description and description.group(1)


def cmake_bool(value):
    """CMake's if(<constant>) truth of an option value."""
    v = value.upper()
    return v in ("ON", "YES", "TRUE", "Y") or (re.fullmatch(r"\d+(\.\d*)?", v) is not None
                                               and float(v) != 0)


# --- the Spack recipe

def literal(node):
    """The value of a constant node, or None."""
    return node.value if isinstance(node, ast.Constant) else None


def dotted(node):
    """'self.prefix.share.parkit' for that attribute chain, or None."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(names)])
    return None


def spec_parts(spec):
    """('hdf5', '1.10.3:', {'+mpi'}) for 'hdf5@1.10.3: +mpi' (the root of a spec only)."""
    root = spec.split("^")[0].replace(" ", "")
    m = re.match(r"([a-z0-9][a-z0-9_-]*)(?:@([^+~%]+))?(.*)$", root)
    if not m:
        raise AssertionError(f"not a spec: {spec!r}")
    variants = {sign + name for sign, name in re.findall(r"([+~])([\w-]+)", m.group(3))}
    return m.group(1), m.group(2), variants


class Recipe:
    """What a Spack package.py declares, read from its syntax tree."""

    def __init__(self, source):
        self.tree = ast.parse(source, RECIPE)
        self.classes = [n for n in self.tree.body if isinstance(n, ast.ClassDef)]
        self.variants = {}      # name -> default (the literal)
        self.dependencies = []  # (spec, when or None, type or None)
        self.versions = {}      # name -> {keyword: literal}
        self.defines = []       # (method, CMake name, second argument node)
        self.run_env = {}       # name -> value node of env.set(name, value)
        for cls in self.classes:
            self._directives(cls.body, None)
            for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call)):
                    name = dotted(call.func) or ""
                    if len(call.args) < 2:
                        continue
                    if fn.name == "cmake_args" and name in ("self.define",
                                                            "self.define_from_variant"):
                        self.defines.append((name[len("self."):], literal(call.args[0]),
                                             call.args[1]))
                    if fn.name == "setup_run_environment" and name == "env.set":
                        self.run_env[literal(call.args[0])] = call.args[1]

    def _directives(self, body, when):
        for stmt in body:
            # `with when("+mpi"):` puts its condition on every directive inside
            if isinstance(stmt, ast.With):
                inner = when
                for item in stmt.items:
                    call = item.context_expr
                    if isinstance(call, ast.Call) and dotted(call.func) == "when":
                        inner = " ".join(filter(None, (when, literal(call.args[0]))))
                self._directives(stmt.body, inner)
                continue
            if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
                continue
            call = stmt.value
            name = dotted(call.func)
            kw = {k.arg: k.value for k in call.keywords}
            first = literal(call.args[0]) if call.args else None
            if name == "variant":
                self.variants[first] = literal(kw["default"]) if "default" in kw else None
            elif name == "depends_on":
                cond = " ".join(filter(None, (when, literal(kw["when"]) if "when" in kw else None)))
                dep_type = kw.get("type")
                if isinstance(dep_type, ast.Tuple):
                    dep_type = tuple(literal(e) for e in dep_type.elts)
                elif dep_type is not None:
                    dep_type = literal(dep_type)
                self.dependencies.append((first, cond or None, dep_type))
            elif name == "version":
                self.versions[first] = {k: literal(v) for k, v in kw.items()}

    def depends(self, name, when=None):
        """The (version, variants, type) of each depends_on(name...) under exactly `when`."""
        norm = (lambda w: w.replace(" ", "") if w else None)
        return [(spec_parts(spec)[1], spec_parts(spec)[2], dep_type)
                for spec, cond, dep_type in self.dependencies
                if spec_parts(spec)[0] == name and norm(cond) == norm(when)]


def option_problems(recipe, options):
    """Where the recipe's CMake definitions and variants disagree with the CMake options."""
    problems = []
    for method, name, _ in recipe.defines:
        if name and name.startswith("PARKIT_") and name not in options:
            problems.append(f"{method}({name!r}, ...): no option({name} ...) in CMakeLists.txt")
    mapped = {}  # option -> variant
    for method, name, value in recipe.defines:
        if method != "define_from_variant":
            continue
        variant = literal(value)
        if name in mapped:
            problems.append(f"{name} is defined from two variants")
        mapped[name] = variant
        if variant not in recipe.variants:
            problems.append(f"define_from_variant({name!r}, {variant!r}): no variant {variant!r}")
    for variant in recipe.variants:
        if variant not in mapped.values():
            problems.append(f"variant {variant!r} reaches no CMake option")
    if len(set(mapped.values())) != len(mapped):
        problems.append(f"one variant sets two options: {mapped}")
    for option, default in options.items():
        if not VARIANT_OPTION.fullmatch(option):
            continue
        if option not in mapped:
            problems.append(f"option {option} has no variant (define_from_variant)")
        elif recipe.variants.get(mapped[option]) != cmake_bool(default):
            problems.append(f"variant {mapped[option]!r} defaults to "
                            f"{recipe.variants.get(mapped[option])}, option {option} to {default}")
    return problems


# --- the modulefile

def configure(template, values):
    """template with each @NAME@ replaced, as configure_file(@ONLY); an unknown NAME fails."""
    def value(m):
        if m.group(1) not in values:
            raise AssertionError(f"@{m.group(1)}@ has no value")
        return values[m.group(1)]
    return PLACEHOLDER.sub(value, template)


def template_values(**overrides):
    """The values CMake would configure the template with by default."""
    cmakelists = read(SOURCE, "CMakeLists.txt")
    version, description = cmake_project(cmakelists)
    values = {name: ("ON" if cmake_bool(default) else "OFF")
              for name, default in cmake_options(cmakelists).items()}
    values.update(GNU_INSTALL_DIRS, PROJECT_VERSION=version, PROJECT_DESCRIPTION=description or "",
                  PARKIT_ENABLE_MPI="ON", PARKIT_ENABLE_OPENMP="ON")
    values.update(overrides)
    return values


def project_version():
    return cmake_project(read(SOURCE, "CMakeLists.txt"))[0]


def installed_name(prefix):
    """The path myFileName() gives for the modulefile installed under prefix."""
    return posixpath.join(prefix, MODULE_TAIL, project_version() + ".lua")


# Stand-ins for the Lmod functions a modulefile calls. Each records its call on stdout as a line
# of tab-separated name and arguments (backslash, tab and newline escaped). The modulefile runs
# with only these and the part of Lua's library that Lmod's sandbox gives a modulefile (Lmod
# 8.6, sandbox.lua); reading any other name fails, as it would be nil under Lmod. abspath (Lmod's
# symbolic-link resolution) maps file_name to real_name. Lua 5.1 (setfenv) to 5.4 (loadfile env).
LMOD_STUB = r"""
local modulefile, file_name, mode_name, real_name = arg[1], arg[2], arg[3], arg[4]

local function escape(v)
  local s = string.gsub(tostring(v), "\\", "\\\\")
  s = string.gsub(s, "\t", "\\t")
  return (string.gsub(s, "\n", "\\n"))
end
local function record(name, ...)
  local parts = {name}
  for i = 1, select("#", ...) do
    parts[#parts + 1] = escape((select(i, ...)))
  end
  io.write(table.concat(parts, "\t"), "\n")
end

local env = {
  assert = assert, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
  tonumber = tonumber, tostring = tostring, type = type, unpack = unpack or table.unpack,
  string = {byte = string.byte, char = string.char, find = string.find, format = string.format,
            gmatch = string.gmatch, gsub = string.gsub, len = string.len, lower = string.lower,
            match = string.match, rep = string.rep, reverse = string.reverse, sub = string.sub,
            upper = string.upper},
  table = {insert = table.insert, remove = table.remove, sort = table.sort,
           concat = table.concat},
  math = {floor = math.floor, ceil = math.ceil, min = math.min, max = math.max},
  os = {clock = os.clock, difftime = os.difftime, time = os.time, date = os.date,
        getenv = os.getenv},
}
for _, name in ipairs({"prepend_path", "append_path", "remove_path", "setenv", "pushenv",
                       "unsetenv", "whatis", "help", "load", "try_load", "always_load",
                       "depends_on", "prereq", "conflict", "family", "set_alias",
                       "LmodMessage"}) do
  env[name] = function(...) record(name, ...) end
end
env.myFileName = function() return file_name end
env.myModuleName = function() return "parkit" end
env.myModuleVersion = function() return (string.match(file_name, "([^/]*)%.lua$")) end
env.mode = function() return mode_name end
env.isloaded = function() return false end
env.abspath = function(path)
  if path == file_name and real_name ~= "" then return real_name end
  return path
end
env.pathJoin = function(...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if v ~= nil and v ~= "" then parts[#parts + 1] = v end
  end
  return (string.gsub(table.concat(parts, "/"), "//+", "/"))
end
env.LmodError = function(...)
  record("LmodError", table.concat({...}))
  error("LmodError", 0)
end
setmetatable(env, {__index = function(_, key)
  error("the modulefile reads " .. tostring(key) .. ", which this Lmod stand-in lacks", 2)
end})

local chunk, err
if setfenv then
  chunk, err = loadfile(modulefile)
  if chunk then setfenv(chunk, env) end
else
  chunk, err = loadfile(modulefile, "t", env)
end
if not chunk then
  io.stderr:write(err, "\n")
  os.exit(2)
end
local ok, failure = pcall(chunk)
if not ok then
  io.stderr:write(tostring(failure), "\n")
  os.exit(1)
end
"""


def unescape(field):
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m.group(1), m.group(1)), field)


def lua_code(text):
    """Lua source with its comments and string literals blanked out."""
    pattern = re.compile(r"--\[(=*)\[.*?\]\1\]|--[^\n]*|\[(=*)\[.*?\]\2\]"
                         r"|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'", re.S)
    return pattern.sub(" ", text)


class Case(unittest.TestCase):
    def need(self, tool, option, names):
        if not tool:
            self.fail(f"no {option} (looked for {', '.join(names)} on PATH): "
                      f"apt-get install lua5.4, or give --{option} PATH")
        if not os.access(tool, os.X_OK):
            self.fail(f"--{option} {tool} is not an executable")
        return tool


class SpackRecipeTest(Case):
    @classmethod
    def setUpClass(cls):
        cls.recipe = Recipe(read(SOURCE, RECIPE))
        cls.options = cmake_options(read(SOURCE, "CMakeLists.txt"))

    def test_cmakelists_declares_the_options_the_checks_rely_on(self):
        for name in ("PARKIT_ENABLE_MPI", "PARKIT_ENABLE_OPENMP", "PARKIT_BUILD_TESTS"):
            self.assertIn(name, self.options)

    def test_is_a_cmake_package(self):
        bases = {dotted(b) for c in self.recipe.classes for b in c.bases}
        self.assertEqual([c.name for c in self.recipe.classes], ["Parkit"])
        self.assertIn("CMakePackage", bases)

    def test_mpi_and_openmp_variants_have_boolean_defaults(self):
        for variant in ("mpi", "openmp"):
            self.assertIn(variant, self.recipe.variants)
            self.assertIsInstance(self.recipe.variants[variant], bool, variant)

    def test_versions_include_the_project_version(self):
        version = project_version()
        self.assertEqual(self.recipe.versions.get(version, {}).get("tag"), "v" + version)
        self.assertEqual(self.recipe.versions.get("main", {}).get("branch"), "main")

    def test_dependencies(self):
        r = self.recipe
        self.assertTrue(any(v.startswith("3.25") and t == "build"
                            for v, _, t in r.depends("cmake") if v), r.depends("cmake"))
        self.assertTrue(r.depends("mpi", when="+mpi"), "depends_on('mpi', when='+mpi')")
        self.assertFalse(r.depends("mpi"), "MPI only with +mpi")
        self.assertTrue(any("+mpi" in v for _, v, _ in r.depends("hdf5", when="+mpi")),
                        "depends_on('hdf5+mpi', when='+mpi')")
        self.assertTrue(any("~mpi" in v for _, v, _ in r.depends("hdf5", when="~mpi")),
                        "depends_on('hdf5~mpi', when='~mpi')")
        self.assertFalse(r.depends("hdf5"), "hdf5 is asked for under +mpi and ~mpi")
        self.assertIn("1.81:", [v for v, _, _ in r.depends("boost")])
        for name in ("cli11", "fmt", "nlohmann-json"):
            self.assertTrue(r.depends(name), f"depends_on({name!r})")
            # link-time libraries, never build- or test-only
            self.assertTrue(all(t is None for _, _, t in r.depends(name)), r.depends(name))
        self.assertIn("test", [t for _, _, t in r.depends("googletest")])

    def test_cmake_args_define_the_options_from_their_variants(self):
        from_variant = {name: literal(value) for method, name, value in self.recipe.defines
                        if method == "define_from_variant"}
        self.assertEqual(from_variant, {"PARKIT_ENABLE_MPI": "mpi",
                                        "PARKIT_ENABLE_OPENMP": "openmp"})

    def test_build_tests_follows_run_tests(self):
        defined = {name: dotted(value) for method, name, value in self.recipe.defines
                   if method == "define"}
        self.assertEqual(defined.get("PARKIT_BUILD_TESTS"), "self.run_tests")

    def test_options_and_variants_agree(self):
        # every PARKIT_* name it passes is an option(); variants and PARKIT_ENABLE_* options
        # one-to-one, with the same defaults
        self.assertEqual(option_problems(self.recipe, self.options), [])

    def test_option_check_catches_a_mismatch(self):
        # the check above can fail: a renamed option, and a variant that reaches nothing
        source = read(SOURCE, RECIPE)
        renamed = Recipe(source.replace('"PARKIT_ENABLE_OPENMP"', '"PARKIT_ENABLE_OMP"'))
        problems = option_problems(renamed, self.options)
        self.assertTrue(any("PARKIT_ENABLE_OMP" in p and "no option" in p for p in problems),
                        problems)
        self.assertTrue(any("PARKIT_ENABLE_OPENMP has no variant" in p for p in problems),
                        problems)
        extra = Recipe(source.replace('variant("mpi"', 'variant("cuda", default=False)\n'
                                      '    variant("mpi"'))
        self.assertTrue(any("'cuda' reaches no CMake option" in p
                            for p in option_problems(extra, self.options)))
        flipped = dict(self.options, PARKIT_ENABLE_MPI="OFF")
        self.assertTrue(any("defaults to True" in p
                            for p in option_problems(self.recipe, flipped)))

    def test_run_environment_points_parkit_home_at_the_scripts(self):
        self.assertEqual(dotted(self.recipe.run_env.get("PARKIT_HOME")),
                         "self.prefix.share.parkit")


class ModulefileTemplateTest(Case):
    @classmethod
    def setUpClass(cls):
        cls.template = read(SOURCE, TEMPLATE)
        cls.cmakelists = read(SOURCE, "CMakeLists.txt")
        cls.placeholders = set(PLACEHOLDER.findall(cls.template))

    def test_placeholders_are_options_or_known_variables(self):
        allowed = set(cmake_options(self.cmakelists)) | KNOWN_VARIABLES
        self.assertEqual(self.placeholders - allowed, set())

    def test_uses_the_mpi_and_openmp_options(self):
        self.assertLessEqual({"PARKIT_ENABLE_MPI", "PARKIT_ENABLE_OPENMP"}, self.placeholders)

    def test_known_variables_are_set_before_it_is_configured(self):
        # configure_file leaves an unset variable empty, without a word
        if "PROJECT_DESCRIPTION" in self.placeholders:
            self.assertTrue(cmake_project(self.cmakelists)[1], "project() gives no DESCRIPTION")
        if self.placeholders & set(GNU_INSTALL_DIRS):
            where = [read(SOURCE, "CMakeLists.txt"), read(SOURCE, "packaging", "CMakeLists.txt")]
            self.assertTrue(any(re.search(r"^\s*include\s*\(\s*GNUInstallDirs\s*\)",
                                          strip_cmake_comments(text), re.M | re.I)
                                for text in where), "no include(GNUInstallDirs)")

    def test_is_lua_5_1(self):
        # Lmod runs on Lua 5.1 and up; luac 5.4 alone would let 5.2+ syntax through
        code = lua_code(self.template)
        for what, pattern in (("goto", r"\bgoto\b"), ("a ::label::", r"::"),
                              ("integer division //", r"//"),
                              ("a bitwise operator", r"[&|]|<<|>>|~(?!=)")):
            self.assertIsNone(re.search(pattern, code), f"{what} is not Lua 5.1")

    def test_configured_file_has_no_placeholder_left(self):
        text = read(MODULEFILE) if MODULEFILE else configure(self.template, template_values())
        self.assertEqual(PLACEHOLDER.findall(text), [])


class ModulefileLuaTest(Case):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.tmp = cls._tmp.name
        cls.stub = os.path.join(cls.tmp, "lmod_stub.lua")
        with open(cls.stub, "w") as f:
            f.write(LMOD_STUB)
        cls.template = read(SOURCE, TEMPLATE)
        cls.modulefile = MODULEFILE or cls.configured("default.lua", cls.template)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    @classmethod
    def configured(cls, name, text, **overrides):
        path = os.path.join(cls.tmp, name)
        with open(path, "w") as f:
            f.write(configure(text, template_values(**overrides)))
        return path

    def luac(self, path):
        luac = self.need(LUAC, "luac", LUAC_NAMES)
        return subprocess.run([luac, "-p", path], capture_output=True, text=True, timeout=60)

    def load(self, modulefile, file_name, code=0, real_name=""):
        """Runs modulefile under the stand-in as if Lmod found it at file_name, a symbolic link
        to real_name if given: its calls."""
        lua = self.need(LUA, "lua", LUA_NAMES)
        r = subprocess.run([lua, self.stub, modulefile, file_name, "load", real_name],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, code, f"{file_name}:\n{r.stdout}\n{r.stderr}")
        return [[unescape(f) for f in line.split("\t")] for line in r.stdout.splitlines()]

    def texts(self, calls):
        """Everything the help and whatis calls say."""
        return "\n".join(" ".join(c[1:]) for c in calls if c[0] in ("help", "whatis"))

    def test_luac_accepts_it(self):
        r = self.luac(self.modulefile)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_luac_rejects_a_broken_copy(self):
        # proves the check above can fail
        with open(self.modulefile) as f:
            broken = os.path.join(self.tmp, "broken.lua")
            with open(broken, "w") as out:
                out.write(f.read() + "\nend\n")
        r = self.luac(broken)
        self.assertNotEqual(r.returncode, 0, "luac -p passed an unbalanced `end`")
        self.assertIn("end", r.stderr)

    def test_paths_follow_where_it_is_installed(self):
        for prefix in PREFIXES:
            with self.subTest(prefix=prefix):
                calls = self.load(self.modulefile, installed_name(prefix))
                prepended = [c[1:] for c in calls if c[0] == "prepend_path"]
                self.assertIn(["PATH", posixpath.join(prefix, "bin")], prepended)
                self.assertIn(["CMAKE_PREFIX_PATH", prefix], prepended)
                set_names = [c[1] for c in calls if c[0] == "setenv"]
                self.assertEqual(len(set_names), len(set(set_names)), "a variable set twice")
                env = {c[1]: c[2] for c in calls if c[0] == "setenv"}
                self.assertEqual(env.get("PARKIT_HOME"), posixpath.join(prefix, "share", "parkit"))
                self.assertEqual(env.get("PARKIT_ROOT"), prefix)

    def test_whatis_names_version_and_description(self):
        # an empty @PROJECT_VERSION@ or @PROJECT_DESCRIPTION@ would show here
        calls = self.load(self.modulefile, installed_name(PREFIXES[0]))
        whatis = [c[1] for c in calls if c[0] == "whatis"]
        self.assertIn("Version: " + project_version(), whatis)
        self.assertTrue(any(re.fullmatch(r"Description: \S.*", w) for w in whatis), whatis)

    def test_follows_a_symbolic_link_to_it(self):
        # a site's modulefiles tree linking to the installed file: the prefix is the link's target's
        prefix = PREFIXES[1]
        calls = self.load(self.modulefile, "/apps/modulefiles/parkit/0.1.0.lua",
                          real_name=installed_name(prefix))
        self.assertIn(["prepend_path", "PATH", posixpath.join(prefix, "bin")], calls)
        self.assertIn(["setenv", "PARKIT_HOME", posixpath.join(prefix, "share", "parkit")], calls)

    def test_refuses_a_place_it_cannot_find_its_prefix_from(self):
        calls = self.load(self.modulefile, "/etc/modulefiles/parkit/0.1.0.lua", code=1)
        self.assertEqual([c[0] for c in calls if c[0] in ("LmodError", "prepend_path", "setenv")],
                         ["LmodError"])
        self.assertIn("module use", calls[-1][1])

    def test_models_follow_the_options(self):
        all_models = ["seq", "threads", "openmp", "mpi", "hybrid"]
        cases = {("ON", "ON"): all_models,
                 ("OFF", "ON"): ["seq", "threads", "openmp"],
                 ("ON", "OFF"): ["seq", "threads", "mpi"],
                 ("OFF", "OFF"): ["seq", "threads"],
                 ("1", "TRUE"): all_models,   # CMake's other ways to say ON and OFF
                 ("0", "NO"): ["seq", "threads"]}
        for (mpi, openmp), models in cases.items():
            with self.subTest(mpi=mpi, openmp=openmp):
                path = self.configured(f"models-{mpi}-{openmp}.lua", self.template,
                                       PARKIT_ENABLE_MPI=mpi, PARKIT_ENABLE_OPENMP=openmp)
                calls = self.load(path, installed_name(PREFIXES[0]))
                whatis = [c[1] for c in calls if c[0] == "whatis"]
                listed = [w.split(":", 1)[1] for w in whatis if w.startswith("Models:")]
                self.assertEqual([[m.strip() for m in ms.split(",")] for ms in listed], [models])
                said = self.texts(calls)
                self.assertIn(", ".join(models), " ".join(c[1] for c in calls if c[0] == "help"))
                # without MPI, no word of mpi or hybrid in help or whatis (and with, both)
                for word, built in (("mpi", "mpi" in models), ("hybrid", "hybrid" in models)):
                    found = re.search(rf"\b{word}\b", said, re.I) is not None
                    self.assertEqual(found, built, f"{word!r} in:\n{said}")

    def test_site_modules_load_first_and_default_to_none(self):
        calls = self.load(self.modulefile, installed_name(PREFIXES[0]))
        loads = ("load", "try_load", "always_load", "depends_on", "prereq")
        self.assertEqual([c for c in calls if c[0] in loads], [])
        declared = re.compile(r"^local site_modules = \{\}", re.M)
        self.assertTrue(declared.search(self.template), "no `local site_modules = {}` line")
        edited = declared.sub('local site_modules = {"openmpi/4.1", "hdf5/1.10-parallel"}',
                              self.template)
        calls = self.load(self.configured("site.lua", edited), installed_name(PREFIXES[0]))
        names = [c[0] for c in calls]
        self.assertEqual([c[1] for c in calls if c[0] in loads],
                         ["openmpi/4.1", "hdf5/1.10-parallel"])
        self.assertLess(max(i for i, n in enumerate(names) if n in loads),
                        names.index("prepend_path"), "parkit's PATH entry must end up in front")


def find(names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    global SOURCE, MODULEFILE, LUA, LUAC
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(here)),
                    help="the repository's root (default: the one this file is in)")
    ap.add_argument("--modulefile", help="the modulefile CMake configured from the template")
    ap.add_argument("--lua", help=f"default: the first of {', '.join(LUA_NAMES)} on PATH")
    ap.add_argument("--luac", help=f"default: the first of {', '.join(LUAC_NAMES)} on PATH")
    args, rest = ap.parse_known_args()
    SOURCE = os.path.abspath(args.source)
    MODULEFILE = args.modulefile and os.path.abspath(args.modulefile)
    LUA = args.lua or find(LUA_NAMES)
    LUAC = args.luac or find(LUAC_NAMES)
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
