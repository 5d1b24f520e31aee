// The pool behind npujar_parallel_for_fn, one per loaded model.
//
// A pool with N threads runs N-1 workers plus the calling thread. Workers
// wait for work by spinning for about kSpinMicroseconds and then sleeping on
// a condition variable. Spinning keeps the latency of back-to-back parallel
// loops low on a quiet machine. Sleeping keeps a shared, busy machine from
// losing whole time slices to spinning threads.
//
// Many threads may call parallel_for at once. One caller at a time gets the
// workers; the others run their loop on their own thread, so concurrent
// model runs never wait for each other and never oversubscribe the cores.
// Chunk boundaries depend only on `count` and the thread count, never on
// who runs a chunk, so results do not depend on contention. Thread i of N
// (the caller is 0) owns the i-th N-th of the tasks and runs it first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "npujar_model_abi.h"

namespace npujar::runtime {

class ThreadPool {
 public:
  static constexpr int kSpinMicroseconds = 80;

  // `num_threads` counts the calling thread; values below 1 mean 1.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  // Runs body(context, begin, end) over [0, count) and returns when every
  // chunk has finished. A call from inside a chunk runs inline.
  void parallel_for(int64_t count, npujar_task_fn body, void* context);

  // Adapter with the npujar_parallel_for_fn signature; `pool` is a ThreadPool*.
  static void parallel_for_entry(void* pool, int64_t count, npujar_task_fn body, void* context);

 private:
  struct Job;

  void worker_loop(int thread_index);
  std::shared_ptr<Job> wait_for_job(uint64_t* seen_generation);
  static void run_chunks(Job& job, int thread_index);
  static void wait_for_completion(Job& job);

  const int num_threads_;
  std::vector<std::thread> workers_;

  std::mutex dispatch_mutex_;  // held by the one caller that owns the workers

  std::mutex mutex_;  // guards current_job_ and stop_; generation_ changes under it
  std::condition_variable wake_;
  std::shared_ptr<Job> current_job_;
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false;
};

}  // namespace npujar::runtime
