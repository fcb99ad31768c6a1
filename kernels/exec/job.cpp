// SPDX-License-Identifier: MIT
#include "parkit/exec/job.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#if PARKIT_HAVE_MPI
#include "parkit/exec/mpi_env.hpp"
#endif

namespace parkit::exec::job {
namespace {

std::string host_name() {
  char host[256] = {};
  return gethostname(host, sizeof host - 1) == 0 ? std::string(host) : std::string("unknown");
}

}  // namespace

bool launched_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

#if PARKIT_HAVE_MPI

NodePlace cached_place{host_name(), 0, 1};  // set once, collectively, by Scope

struct Scope::State {
  mpi::Environment environment;
  State(int& argc, char**& argv) : environment((prepare_singleton(), argc), argv) {}
  // Open MPI's default singleton starts a helper daemon, which resolves the host name: 5 s per
  // start where it does not resolve (seen in a fresh debootstrap root). parkit never spawns
  // processes, so an isolated singleton loses nothing; a user's own setting wins.
  static void prepare_singleton() {
    if (!launched_by_launcher()) setenv("OMPI_MCA_ess_singleton_isolated", "1", /*overwrite=*/0);
  }
};
Scope::Scope(int& argc, char**& argv) : state_(std::make_unique<State>(argc, argv)) {
  const mpi::NodeLocal local = mpi::node_local();  // collective: every rank builds a Scope
  cached_place = {host_name(), local.rank, local.size};
}
Scope::~Scope() = default;

int rank() { return mpi::initialized() ? mpi::world_rank() : 0; }
int size() { return mpi::initialized() ? mpi::world_size() : 1; }
std::string broadcast(const std::string& text) {
  return size() > 1 ? mpi::broadcast(MPI_COMM_WORLD, text) : text;
}
std::vector<std::string> all_gather(const std::string& text) {
  return size() > 1 ? mpi::all_gather(MPI_COMM_WORLD, text) : std::vector<std::string>{text};
}
int max(int value) {
  if (size() == 1) return value;
  int result = value;
  mpi::check(MPI_Allreduce(&value, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD));
  return result;
}
void idle_barrier() {
  if (size() == 1) return;
  MPI_Request request = MPI_REQUEST_NULL;
  mpi::check(MPI_Ibarrier(MPI_COMM_WORLD, &request));
  for (int done = 0;;) {
    mpi::check(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}
void abort(int code) {
  if (mpi::initialized()) mpi::abort_world(code);
  std::exit(code);
}
NodePlace node_place() { return cached_place; }

#else

struct Scope::State {};
Scope::Scope(int&, char**&) {}
Scope::~Scope() = default;
int rank() { return 0; }
int size() { return 1; }
std::string broadcast(const std::string& text) { return text; }
std::vector<std::string> all_gather(const std::string& text) { return {text}; }
int max(int value) { return value; }
void idle_barrier() {}
void abort(int code) { std::exit(code); }
NodePlace node_place() { return {host_name(), 0, 1}; }

#endif

}  // namespace parkit::exec::job
