# SPDX-License-Identifier: MIT
"""Spack recipe for parkit, which is not in Spack's builtin repository: put this file in the
packages/parkit/ directory of a site repository (`spack repo create`), set PARKIT_GIT and
PARKIT_HOMEPAGE below to where the site keeps parkit, then

    spack install parkit            # +mpi +openmp: every execution model
    spack install parkit ~mpi       # seq, threads and openmp; serial HDF5

Needs Spack 0.23 or newer (the c and cxx language dependencies). Loading the module Spack makes
for it puts bin/ on PATH and sets PARKIT_HOME, where the Slurm scripts are (share/parkit/cluster).
"""

from spack.package import *  # noqa: F401,F403  (Spack's package DSL)

try:  # Spack 1.0 moved the build systems out of spack.package into its builtin repository
    from spack_repo.builtin.build_systems.cmake import CMakePackage
except ImportError:  # Spack 0.x: spack.package provides CMakePackage
    pass

# parkit has no public repository yet: the site sets its own here. The .invalid domain (RFC 2606)
# never resolves, so a recipe left unedited fails to fetch rather than fetch something else.
PARKIT_GIT = "https://git.example.invalid/parkit/parkit.git"  # set to your site's mirror
PARKIT_HOMEPAGE = "https://git.example.invalid/parkit/parkit"  # set to your site's page for it


class Parkit(CMakePackage):
    """parkit: CPU-bound kernels under every execution model (sequential, a std::jthread team,
    OpenMP, MPI ranks and hybrid MPI+OpenMP) from one definition of each kernel, with one timing
    protocol, verified results and HDF5 output; plus the CMake package to build your own kernels."""

    homepage = PARKIT_HOMEPAGE
    git = PARKIT_GIT

    license("MIT")

    version("main", branch="main")
    version("0.1.0", tag="v0.1.0")  # add commit="<sha>" once the tag exists, to pin it

    # Each variant is a PARKIT_ENABLE_* option of CMakeLists.txt, with the same default.
    variant("mpi", default=True, description="Build the mpi and hybrid execution models")
    variant("openmp", default=True, description="Build the openmp and hybrid execution models")

    depends_on("c", type="build")  # FindHDF5 and FindMPI probe with a C compile
    depends_on("cxx", type="build")
    depends_on("cmake@3.25:", type="build")

    depends_on("mpi", when="+mpi")
    # HDF5's C API for the results files; with MPI, parallel HDF5 (what the build prefers; rank 0
    # writes, so serial HDF5 suits a build without MPI). H5Oget_info2 is from 1.10.3.
    depends_on("hdf5@1.10.3: +mpi", when="+mpi")
    depends_on("hdf5@1.10.3: ~mpi", when="~mpi")
    # Asio and Beast, header-only: Spack's boost builds no compiled library unless asked to.
    depends_on("boost@1.81:")
    depends_on("cli11")
    depends_on("fmt")
    depends_on("nlohmann-json")

    # The test suite (PARKIT_BUILD_TESTS, on with `spack install --test=root`): GoogleTest, and a
    # python3 that imports h5py, pandas and matplotlib for the results and plot checks.
    depends_on("googletest", type="test")
    depends_on("python@3.9:", type="test")
    depends_on("py-h5py", type="test")
    depends_on("py-pandas", type="test")
    depends_on("py-matplotlib", type="test")

    # C++20 library parts parkit uses: std::source_location and std::barrier (GCC 11, Clang 15).
    conflicts("%gcc@:10", msg="parkit needs C++20's <source_location> and <barrier>: GCC 11+")
    conflicts("%clang@:14", msg="parkit needs C++20's <source_location> and <barrier>: Clang 15+")

    def flag_handler(self, name, flags):
        # parkit is written against HDF5 1.10's API (H5Oget_info2 with H5O_info_t); HDF5 1.12 and
        # later default to newer versions of those names unless asked for the 1.10 ones.
        if name == "cxxflags" and self.spec.satisfies("^hdf5@1.12:"):
            flags.append("-DH5_USE_110_API")
        return (flags, None, None)

    def cmake_args(self):
        return [
            self.define_from_variant("PARKIT_ENABLE_MPI", "mpi"),
            self.define_from_variant("PARKIT_ENABLE_OPENMP", "openmp"),
            self.define("PARKIT_BUILD_TESTS", self.run_tests),
        ]

    def setup_run_environment(self, env):
        env.set("PARKIT_ROOT", self.prefix)
        # The Slurm scripts find parkit (bin/parkit, cluster/site.env) through PARKIT_HOME.
        env.set("PARKIT_HOME", self.prefix.share.parkit)
