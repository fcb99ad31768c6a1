// SPDX-License-Identifier: MIT
// An array of doubles that is allocated but NOT touched: the execution model that runs the kernel
// writes it first, so its pages land near the threads that use them (first touch).
#pragma once

#include <sys/mman.h>

#include <cstdlib>
#include <memory>
#include <new>

#include "parkit/exec/range.hpp"

namespace parkit {

class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(exec::Index size) : data_(allocate(size)), size_(size) {}
  [[nodiscard]] double* data() noexcept { return data_.get(); }
  [[nodiscard]] const double* data() const noexcept { return data_.get(); }
  [[nodiscard]] exec::Index size() const noexcept { return size_; }
  double& operator[](exec::Index i) noexcept { return data_.get()[i]; }
  const double& operator[](exec::Index i) const noexcept { return data_.get()[i]; }

 private:
  struct Free {
    void operator()(double* p) const noexcept { std::free(p); }
  };
  static constexpr std::size_t alignment = 64;  // a cache line: aligned vector loads and stores
  // Large arrays on 2 MiB pages where the kernel allows it (transparent huge pages in "madvise"
  // mode, Debian's default): a 4 KiB page per 512 doubles costs a TLB miss every 4 KiB of a
  // stream; measured +10 % read and copy bandwidth on one core (bench/README.md).
  static constexpr std::size_t huge_page = std::size_t{2} << 20;
  static double* allocate(exec::Index size) {
    if (size <= 0) return nullptr;
    const std::size_t wanted = static_cast<std::size_t>(size) * sizeof(double);
    const std::size_t align = wanted >= 2 * huge_page ? huge_page : alignment;
    const std::size_t bytes = (wanted + align - 1) / align * align;
    void* p = std::aligned_alloc(align, bytes);
    if (p == nullptr) throw std::bad_alloc();
    if (align == huge_page) madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure changes nothing
    return static_cast<double*>(p);
  }
  std::unique_ptr<double[], Free> data_;
  exec::Index size_ = 0;
};

}  // namespace parkit
