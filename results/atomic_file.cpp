// SPDX-License-Identifier: MIT
#include "parkit/results/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>
#include <system_error>

namespace parkit::results {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  if (errno == EEXIST) throw FileExists(path + ": exists");
  throw std::system_error(errno, std::generic_category(), path + ": " + what);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

void write_all(int fd, std::span<const unsigned char> bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write", path);
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) fail("fsync", path);
}

std::string hidden_temporary(const std::filesystem::path& target) {
  std::random_device random;
  std::string name = ".";  // appended piecewise: GCC 12 misreports "." + string (-Wrestrict)
  name += target.filename().string();
  name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random());
  return (target.parent_path() / name).string();
}

void sync_directory(const std::filesystem::path& dir) {
  const Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY));
  if (fd.get() >= 0) ::fsync(fd.get());  // best effort: the data itself is already synced
}

/// Removes the hidden temporaries of `target` left by writers that no longer run: a kill -9
/// between naming the finished file and renaming it over the old one leaves one behind (the
/// name is needed: Linux cannot link an unnamed file over an existing one).
void remove_stale_temporaries(const std::filesystem::path& target) {
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string prefix = ".";  // piecewise, as in hidden_temporary (GCC 12 -Wrestrict)
  prefix += target.filename().string();
  prefix += ".tmp-";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const std::string rest = name.substr(prefix.size());  // <pid>-<random>
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || rest.find_first_not_of("0123456789") != dash)
      continue;
    const auto pid = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
    if (::kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove(entry.path(), ec);
  }
}

}  // namespace

void publish(const std::string& path, std::span<const unsigned char> bytes, bool replace) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  remove_stale_temporaries(target);
  const Fd unnamed(::open(dir.c_str(), O_TMPFILE | O_WRONLY, 0644));
  if (unnamed.get() >= 0) {
    write_all(unnamed.get(), bytes, path);
    const std::string proc = "/proc/self/fd/" + std::to_string(unnamed.get());
    if (!replace) {
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) != 0)
        fail("link", path);
    } else {  // a name first, then an atomic rename over the old file
      const std::string temporary = hidden_temporary(target);
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, temporary.c_str(), AT_SYMLINK_FOLLOW) != 0)
        fail("link", temporary);
      if (::rename(temporary.c_str(), path.c_str()) != 0) {
        ::unlink(temporary.c_str());
        fail("rename", path);
      }
    }
    sync_directory(dir);
    return;
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) fail("open", dir.string());
  // no O_TMPFILE here (e.g. NFS): a hidden named temporary, removed on any error
  const std::string temporary = hidden_temporary(target);
  {
    const Fd named(::open(temporary.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644));
    if (named.get() < 0) fail("open", temporary);
    try {
      write_all(named.get(), bytes, path);
    } catch (...) {
      ::unlink(temporary.c_str());
      throw;
    }
  }
  const int rc =
      replace ? ::rename(temporary.c_str(), path.c_str()) : ::link(temporary.c_str(), path.c_str());
  const int saved = errno;
  if (!replace || rc != 0) ::unlink(temporary.c_str());
  errno = saved;
  if (rc != 0) fail(replace ? "rename" : "link", path);
  sync_directory(dir);
}

}  // namespace parkit::results
