package dev.npujar;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Owns one native handle for a Java object (a model or tensor) and releases it exactly once: on the
 * owner's {@code close()}, or through a {@link Cleaner} when the owner became unreachable without
 * being closed, which is logged.
 *
 * <p>Calls that pass the handle to native code bracket it with {@link #tryAcquire()} and {@link
 * #release()}. A close that happens while such calls are in flight, possibly on other threads, only
 * marks the resource closed; the last call to leave frees the handle. So {@code close()} never
 * frees memory a native call is still using, and it never blocks.
 *
 * <p>The state is one integer: bit 30 is the closed flag, the lower bits count calls in flight.
 */
final class NativeResource implements Runnable {
  /** Frees a native handle; called exactly once per resource. */
  interface Releaser {
    void release(long handle);
  }

  private static final System.Logger LOG = System.getLogger("dev.npujar");
  private static final Cleaner CLEANER = Cleaner.create();
  private static final int CLOSED = 1 << 30;
  private static final AtomicLong CLEANED_COUNT = new AtomicLong();

  private final AtomicInteger state = new AtomicInteger();
  private final long handle;
  private final Releaser releaser;
  private final Supplier<String> description;
  private final Cleaner.Cleanable cleanable;
  private volatile boolean closedByOwner;

  // Memory the native handle points into without owning it (a wrapped ByteBuffer); kept
  // reachable until the handle is freed.
  @SuppressWarnings("unused")
  private Object borrowed;

  /**
   * Takes ownership of {@code handle} for {@code owner}. The description names the owner in the
   * Cleaner's log line, e.g. "Model 'resnet18.npujar'"; it is computed only for that line and must
   * not reference the owner, or the owner would never become unreachable.
   */
  NativeResource(
      Object owner, long handle, Releaser releaser, Supplier<String> description, Object borrowed) {
    this.handle = handle;
    this.releaser = releaser;
    this.description = description;
    this.borrowed = borrowed;
    this.cleanable = CLEANER.register(owner, this);
  }

  long handle() {
    return handle;
  }

  boolean isClosed() {
    return (state.get() & CLOSED) != 0;
  }

  /** Registers a native call in flight; returns false if the resource is closed. */
  boolean tryAcquire() {
    while (true) {
      int current = state.get();
      if ((current & CLOSED) != 0) {
        return false;
      }
      if (state.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /**
   * Registers a native call in flight, or throws if the resource is closed.
   *
   * @param call the public method, e.g. "Model.run", named in the exception
   */
  void acquire(String call) {
    if (!tryAcquire()) {
      throw new IllegalStateException(call + " called after close()");
    }
  }

  /**
   * Throws if the resource is closed; for methods that need no native call.
   *
   * @param call the public method, e.g. "Model.inputs", named in the exception
   */
  void checkOpen(String call) {
    if (isClosed()) {
      throw new IllegalStateException(call + " called after close()");
    }
  }

  /**
   * Ends a native call; frees the handle if the resource was closed meanwhile and this was the last
   * call.
   */
  void release() {
    if (state.decrementAndGet() == CLOSED) {
      free();
    }
  }

  /** Closes the resource for its owner; idempotent. */
  void close() {
    closedByOwner = true;
    cleanable.clean();
  }

  /** Runs the cleaning action, once, from {@link #close()} or from the Cleaner's thread. */
  @Override
  public void run() {
    if (!closedByOwner) {
      logCleaned();
    }
    int previous = state.getAndUpdate(current -> current | CLOSED);
    if (previous == 0) {
      free();
    }
  }

  private void free() {
    releaser.release(handle);
    borrowed = null;
  }

  // The first ten and then every thousandth forgotten object are logged, so a loop that never
  // closes its outputs cannot flood the log.
  private void logCleaned() {
    long count = CLEANED_COUNT.incrementAndGet();
    if (count <= 10 || count % 1000 == 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "{0} was not closed and was released by the garbage collector ({1} such objects so far);"
              + " close models, tensors and outputs with try-with-resources to free native memory"
              + " promptly",
          description.get(),
          count);
    }
  }

  /** Number of objects released by the Cleaner rather than by close(), since the JVM started. */
  static long cleanedCount() {
    return CLEANED_COUNT.get();
  }
}
