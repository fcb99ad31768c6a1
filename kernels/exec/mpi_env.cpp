// SPDX-License-Identifier: MIT
#include "parkit/exec/mpi_env.hpp"

#include <cstring>

namespace parkit::mpi {

void check(int rc, std::source_location where) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  if (MPI_Error_string(rc, text, &length) != MPI_SUCCESS) std::strcpy(text, "unknown MPI error");
  throw Error(std::string(text, static_cast<std::size_t>(length)) + " (in " +
              where.function_name() + " at " + where.file_name() + ":" +
              std::to_string(where.line()) + ")");
}

Environment::Environment(int& argc, char**& argv, int required) {
  check(MPI_Init_thread(&argc, &argv, required, &provided_));
  // errors come back as codes, so check() can turn them into exceptions (and then MPI_Abort)
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  if (provided_ < required)
    throw Error("MPI provides thread level " + std::to_string(provided_) + ", parkit needs " +
                std::to_string(required) + " (MPI_THREAD_FUNNELED)");
}

Environment::~Environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();  // return code ignored: a destructor must not throw
}

bool initialized() {
  int flag = 0;
  MPI_Initialized(&flag);
  int finalized = 0;
  MPI_Finalized(&finalized);
  return flag && !finalized;
}

int world_rank() {
  int rank = 0;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
  return rank;
}

int world_size() {
  int size = 1;
  check(MPI_Comm_size(MPI_COMM_WORLD, &size));
  return size;
}

NodeLocal node_local() {
  MPI_Comm node = MPI_COMM_NULL;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  NodeLocal local;
  const int rank_rc = MPI_Comm_rank(node, &local.rank);
  const int size_rc = MPI_Comm_size(node, &local.size);
  check(MPI_Comm_free(&node));
  check(rank_rc);
  check(size_rc);
  return local;
}

void abort_world(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] honest if it ever did
}

std::vector<std::byte> all_gather_bytes(MPI_Comm comm, const void* mine, std::size_t size) {
  int ranks = 1;
  check(MPI_Comm_size(comm, &ranks));
  std::vector<std::byte> all(size * static_cast<std::size_t>(ranks));
  const int count = static_cast<int>(size);
  check(MPI_Allgather(mine, count, MPI_BYTE, all.data(), count, MPI_BYTE, comm));
  return all;
}

std::vector<std::string> all_gather(MPI_Comm comm, const std::string& mine) {
  int size = 1;
  check(MPI_Comm_size(comm, &size));
  const int my_length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(size));
  check(MPI_Allgather(&my_length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm));
  std::vector<int> offsets(lengths.size(), 0);
  int total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    offsets[r] = total;
    total += lengths[r];
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  check(MPI_Allgatherv(mine.data(), my_length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                       MPI_CHAR, comm));
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lengths.size(); ++r)
    out.push_back(
        all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  return out;
}

std::string broadcast(MPI_Comm comm, const std::string& text) {
  unsigned long long length = text.size();
  check(MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, comm));
  std::string out = text;
  out.resize(length);
  check(MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, 0, comm));
  return out;
}

namespace {

// MPI has no 128-bit integer: the value travels as 16 bytes and this op adds them exactly.
// The buffers are only byte-aligned (the type is built from MPI_BYTE): copy, never cast.
void add_u128(void* in, void* inout, int* count, MPI_Datatype*) {
  auto* a = static_cast<const unsigned char*>(in);
  auto* b = static_cast<unsigned char*>(inout);
  for (int i = 0; i < *count; ++i, a += sizeof(u128), b += sizeof(u128)) {
    u128 x = 0, y = 0;
    std::memcpy(&x, a, sizeof x);
    std::memcpy(&y, b, sizeof y);
    y += x;
    std::memcpy(b, &y, sizeof y);
  }
}

}  // namespace

MPI_Datatype Sum<u128>::type() {
  static const MPI_Datatype type = [] {
    MPI_Datatype t = MPI_DATATYPE_NULL;
    check(MPI_Type_contiguous(static_cast<int>(sizeof(u128)), MPI_BYTE, &t));
    check(MPI_Type_commit(&t));
    return t;  // freed by MPI_Finalize
  }();
  return type;
}

MPI_Op Sum<u128>::op() {
  static const MPI_Op op = [] {
    MPI_Op o = MPI_OP_NULL;
    check(MPI_Op_create(&add_u128, /*commute=*/1, &o));
    return o;
  }();
  return op;
}

}  // namespace parkit::mpi
