#include "npujar/runtime/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace npujar::runtime {
namespace {

struct Coverage {
  std::vector<std::atomic<int>> hits;
  explicit Coverage(int64_t count) : hits(static_cast<size_t>(count)) {}
};

void mark(void* context, int64_t begin, int64_t end) {
  auto* coverage = static_cast<Coverage*>(context);
  for (int64_t i = begin; i < end; ++i) {
    coverage->hits[static_cast<size_t>(i)].fetch_add(1);
  }
}

void expect_each_index_once(const Coverage& coverage) {
  for (size_t i = 0; i < coverage.hits.size(); ++i) {
    ASSERT_EQ(coverage.hits[i].load(), 1) << "index " << i;
  }
}

TEST(ThreadPool, EveryIndexRunsOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (int64_t count : {1, 2, 3, 7, 64, 1000, 4097}) {
      Coverage coverage(count);
      pool.parallel_for(count, mark, &coverage);
      SCOPED_TRACE("threads " + std::to_string(threads) + ", count " + std::to_string(count));
      expect_each_index_once(coverage);
    }
  }
}

TEST(ThreadPool, ZeroCountCallsNothing) {
  ThreadPool pool(2);
  Coverage coverage(0);
  pool.parallel_for(0, mark, &coverage);
  pool.parallel_for(-5, mark, &coverage);
  SUCCEED();
}

TEST(ThreadPool, UsesWorkerThreads) {
  ThreadPool pool(4);
  std::mutex mutex;
  std::set<std::thread::id> seen;
  struct Context {
    std::mutex* mutex;
    std::set<std::thread::id>* seen;
  } context{&mutex, &seen};
  // Slow chunks give sleeping workers time to wake and take some.
  auto body = [](void* raw, int64_t, int64_t) {
    auto* ctx = static_cast<Context*>(raw);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::lock_guard<std::mutex> lock(*ctx->mutex);
    ctx->seen->insert(std::this_thread::get_id());
  };
  pool.parallel_for(64, body, &context);
  EXPECT_GT(seen.size(), 1u);
}

TEST(ThreadPool, ConcurrentCallersEachCovered) {
  ThreadPool pool(2);
  constexpr int kCallers = 8;
  constexpr int kRounds = 200;
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&pool, &failures, c] {
      for (int round = 0; round < kRounds; ++round) {
        int64_t count = 1 + (c * 37 + round * 11) % 300;
        Coverage coverage(count);
        pool.parallel_for(count, mark, &coverage);
        for (const auto& hit : coverage.hits) {
          failures += hit.load() == 1 ? 0 : 1;
        }
      }
    });
  }
  for (std::thread& caller : callers) {
    caller.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST(ThreadPool, NestedCallRunsInline) {
  ThreadPool pool(2);
  struct Outer {
    ThreadPool* pool;
    std::vector<Coverage>* inner;
  };
  std::vector<Coverage> inner;
  for (int i = 0; i < 8; ++i) {
    inner.emplace_back(16);
  }
  Outer outer{&pool, &inner};
  pool.parallel_for(
      8,
      [](void* raw, int64_t begin, int64_t end) {
        auto* context = static_cast<Outer*>(raw);
        for (int64_t i = begin; i < end; ++i) {
          context->pool->parallel_for(16, mark, &(*context->inner)[static_cast<size_t>(i)]);
        }
      },
      &outer);
  for (const Coverage& coverage : inner) {
    expect_each_index_once(coverage);
  }
}

TEST(ThreadPool, EntryAdapterForwards) {
  ThreadPool pool(3);
  Coverage coverage(100);
  npujar_parallel_for_fn entry = &ThreadPool::parallel_for_entry;
  entry(&pool, 100, mark, &coverage);
  expect_each_index_once(coverage);
}

TEST(ThreadPool, EachThreadRunsItsOwnHalfFirst) {
  // With 2 threads, tasks 0-1 belong to the caller and 2-3 to the worker.
  // Each task takes 50 ms, and the caller takes a task from the worker's
  // half only after finishing its own at 100 ms. So the worker runs both of
  // its tasks when it wakes within 50 ms. With tasks handed out first come,
  // first served, it would run tasks 1 and 3.
  ThreadPool pool(2);
  std::vector<std::thread::id> runner(4);
  auto body = [](void* raw, int64_t begin, int64_t end) {
    auto* ids = static_cast<std::vector<std::thread::id>*>(raw);
    for (int64_t i = begin; i < end; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      (*ids)[static_cast<size_t>(i)] = std::this_thread::get_id();
    }
  };
  pool.parallel_for(4, body, &runner);

  const std::thread::id caller = std::this_thread::get_id();
  EXPECT_EQ(runner[0], caller);
  EXPECT_EQ(runner[1], caller);
  EXPECT_NE(runner[2], caller);
  EXPECT_NE(runner[3], caller);
}

}  // namespace
}  // namespace npujar::runtime
