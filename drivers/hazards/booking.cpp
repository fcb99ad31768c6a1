// SPDX-License-Identifier: MIT
// booking: N tickets (--ops) are on sale and T threads buy them one at a time until none are
// left, as the lessons' ticket booking and bank withdrawal: check that one is left, then take
// it. Oversold = tickets sold - N (never below zero: a buyer stops only when it sees none left).
//   unsynchronized  check, then act: two buyers that both see the last ticket both sell it
//   mutex           the check and the act under one std::mutex
//   cas             compare-and-swap: take a ticket only if the count is still what was checked
#include <atomic>
#include <mutex>
#include <vector>

#include "drivers/hazards/scenario.hpp"
#include "parkit/exec/team.hpp"

namespace parkit::hazards {
namespace {

constexpr std::size_t cache_line = 64;

struct alignas(cache_line) Sales {
  std::int64_t sold = 0;  // written by its own buyer only
};

/// The part every booking variant shares: the stock, the buyers and their sales.
class Booking : public HazardExperiment {
 public:
  explicit Booking(const Options& o)
      : tickets_(o.ops),
        sales_(static_cast<std::size_t>(o.threads)),
        start_(o.threads),
        team_(static_cast<unsigned>(o.threads), exec::Bind::none) {}

  void prepare() final {
    restock(tickets_);
    for (auto& s : sales_) s.sold = 0;
  }
  void execute() final {
    auto job = [this](unsigned member) {
      start_.arrive_and_wait();
      std::int64_t sold = 0;
      while (try_to_sell()) ++sold;
      sales_[member].sold = sold;
    };
    team_.run(job);
  }
  [[nodiscard]] std::int64_t ops_total() const final { return tickets_; }
  void describe(results::HazardRecord& record) const final {
    record.threads = static_cast<int>(sales_.size());
  }
  [[nodiscard]] Outcome outcome() final {
    std::int64_t sold = 0;
    for (const auto& s : sales_) sold += s.sold;
    return {tickets_, sold, sold - tickets_};
  }

 protected:
  virtual void restock(std::int64_t tickets) = 0;
  /// Sells one ticket if one is left; false when sold out.
  virtual bool try_to_sell() = 0;

 private:
  std::int64_t tickets_;
  std::vector<Sales> sales_;
  StartLine start_;
  exec::Team team_;
};

class Unsynchronized final : public Booking {
 public:
  using Booking::Booking;

 private:
  void restock(std::int64_t tickets) override { left_.store(tickets); }
  bool try_to_sell() override {
    const std::int64_t seen = left_.load(std::memory_order_relaxed);  // check ...
    if (seen <= 0) return false;
    left_.store(seen - 1, std::memory_order_relaxed);  // ... then act, on what may be gone
    return true;
  }
  alignas(cache_line) std::atomic<std::int64_t> left_{0};
};

class Locked final : public Booking {
 public:
  using Booking::Booking;

 private:
  void restock(std::int64_t tickets) override { left_ = tickets; }
  bool try_to_sell() override {
    const std::lock_guard lock(mutex_);
    if (left_ <= 0) return false;
    --left_;
    return true;
  }
  std::mutex mutex_;
  std::int64_t left_ = 0;  // guarded by mutex_
};

class CompareAndSwap final : public Booking {
 public:
  using Booking::Booking;

 private:
  void restock(std::int64_t tickets) override { left_.store(tickets); }
  bool try_to_sell() override {
    std::int64_t seen = left_.load(std::memory_order_relaxed);
    do {
      if (seen <= 0) return false;
    } while (!left_.compare_exchange_weak(seen, seen - 1, std::memory_order_relaxed));
    return true;
  }
  alignas(cache_line) std::atomic<std::int64_t> left_{0};
};

template <class V>
std::unique_ptr<HazardExperiment> make(const Options& o) {
  return std::make_unique<V>(o);
}

}  // namespace

Scenario booking_scenario() {
  return {"booking",
          "T threads buy N tickets one at a time until none are left: is any sold twice?",
          "tickets oversold",
          "tickets on sale (all threads together)",
          10'000'000,
          {{"unsynchronized", "threads", false,
            "check that a ticket is left, then take it: both buyers of the last one get it",
            make<Unsynchronized>},
           {"mutex", "threads", true, "the check and the take under one std::mutex", make<Locked>},
           {"cas", "threads", true,
            "compare-and-swap: take a ticket only if the count is still what was checked",
            make<CompareAndSwap>}}};
}

}  // namespace parkit::hazards
