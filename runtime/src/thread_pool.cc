// Each parallel_for publishes a Job that workers copy under the mutex as a
// shared_ptr. A late worker may still hold a finished job, but every task
// range is exhausted, so it never calls a body whose context is gone.
//
// Thread i of N (the caller is 0, worker w is w) owns the tasks
// [count * i / N, count * (i + 1) / N). It runs those first, in chunks,
// then takes chunks from the other threads' ranges. The kernels order their
// tasks so that a thread gets the same part of the data in consecutive
// layers (the same pixels, or the same channels), so a layer mostly reads
// what its own core wrote in the layer before. With chunks handed out first
// come, first served, mobilenet_v2's layers took 24 % more CPU time on 2
// threads than on 1; with owned ranges and aligned tasks, 8 %.
#include "npujar/runtime/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace npujar::runtime {
namespace {

thread_local bool t_inside_chunk = false;

void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until `done()` or until kSpinMicroseconds have passed; returns done().
template <typename Predicate>
bool spin_until(Predicate done) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::microseconds(ThreadPool::kSpinMicroseconds);
  while (!done()) {
    for (int i = 0; i < 64; ++i) {
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return done();
    }
  }
  return true;
}

}  // namespace

// The tasks [begin, end) that one thread owns. next is the first task not
// yet taken by the owner or by a thread that finished its own range.
struct alignas(64) TaskRange {
  std::atomic<int64_t> next{0};
  int64_t end = 0;
};

struct ThreadPool::Job {
  explicit Job(int threads) : ranges(new TaskRange[threads]), range_count(threads) {}

  npujar_task_fn body = nullptr;
  void* context = nullptr;
  int64_t count = 0;
  int64_t chunk_size = 1;
  std::unique_ptr<TaskRange[]> ranges;
  int range_count = 0;
  std::atomic<int64_t> finished_tasks{0};
  std::mutex mutex;
  std::condition_variable finished;
};

ThreadPool::ThreadPool(int num_threads) : num_threads_(std::max(1, num_threads)) {
  workers_.reserve(num_threads_ - 1);
  for (int i = 1; i < num_threads_; ++i) {
    workers_.emplace_back([this, i] { worker_loop(i); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) {
    worker.join();
  }
}

void ThreadPool::parallel_for_entry(void* pool, int64_t count, npujar_task_fn body,
                                    void* context) {
  static_cast<ThreadPool*>(pool)->parallel_for(count, body, context);
}

void ThreadPool::parallel_for(int64_t count, npujar_task_fn body, void* context) {
  if (count <= 0) {
    return;
  }

  auto job = std::make_shared<Job>(num_threads_);
  job->body = body;
  job->context = context;
  job->count = count;
  // About four chunks per thread balance uneven tasks without much overhead.
  int64_t target_chunks = std::min<int64_t>(count, int64_t{num_threads_} * 4);
  job->chunk_size = (count + target_chunks - 1) / target_chunks;
  for (int i = 0; i < num_threads_; ++i) {
    job->ranges[i].next.store(count * i / num_threads_, std::memory_order_relaxed);
    job->ranges[i].end = count * (i + 1) / num_threads_;
  }

  std::unique_lock<std::mutex> dispatch(dispatch_mutex_, std::defer_lock);
  bool use_workers = !workers_.empty() && !t_inside_chunk && count > 1 &&
                     dispatch.try_lock();
  if (!use_workers) {
    run_chunks(*job, 0);
    return;
  }

  {
    std::lock_guard<std::mutex> lock(mutex_);
    current_job_ = job;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();

  run_chunks(*job, 0);
  wait_for_completion(*job);

  std::lock_guard<std::mutex> lock(mutex_);
  current_job_.reset();
}

void ThreadPool::run_chunks(Job& job, int thread_index) {
  bool was_inside = t_inside_chunk;
  t_inside_chunk = true;

  // Own range first, then the others', starting with the next thread's.
  for (int offset = 0; offset < job.range_count; ++offset) {
    TaskRange& range = job.ranges[(thread_index + offset) % job.range_count];
    for (;;) {
      int64_t begin = range.next.fetch_add(job.chunk_size, std::memory_order_relaxed);
      if (begin >= range.end) {
        break;
      }
      int64_t end = std::min(range.end, begin + job.chunk_size);
      job.body(job.context, begin, end);

      if (job.finished_tasks.fetch_add(end - begin, std::memory_order_acq_rel) + (end - begin) ==
          job.count) {
        // Taking the mutex orders this notification after the waiter's check.
        { std::lock_guard<std::mutex> lock(job.mutex); }
        job.finished.notify_all();
      }
    }
  }
  t_inside_chunk = was_inside;
}

void ThreadPool::wait_for_completion(Job& job) {
  auto all_finished = [&job] {
    return job.finished_tasks.load(std::memory_order_acquire) == job.count;
  };
  if (spin_until(all_finished)) {
    return;
  }
  std::unique_lock<std::mutex> lock(job.mutex);
  job.finished.wait(lock, all_finished);
}

std::shared_ptr<ThreadPool::Job> ThreadPool::wait_for_job(uint64_t* seen_generation) {
  auto generation_changed = [this, seen_generation] {
    return generation_.load(std::memory_order_acquire) != *seen_generation;
  };
  spin_until(generation_changed);

  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [&] { return stop_ || generation_changed(); });
  *seen_generation = generation_.load(std::memory_order_acquire);
  if (stop_) {
    return nullptr;
  }
  return current_job_;
}

void ThreadPool::worker_loop(int thread_index) {
  uint64_t seen_generation = 0;
  for (;;) {
    std::shared_ptr<Job> job = wait_for_job(&seen_generation);
    if (job == nullptr) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) {
        return;
      }
      continue;
    }
    run_chunks(*job, thread_index);
  }
}

}  // namespace npujar::runtime
