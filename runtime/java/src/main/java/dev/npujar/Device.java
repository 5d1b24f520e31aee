package dev.npujar;

/** The kind of device a model should run on; mirrors {@code npujar_device_preference}. */
public enum Device {
  /** The first available of NPU, GPU and CPU. */
  AUTO(0),
  /** The CPU, with a precompiled or JIT-compiled variant. */
  CPU(1),
  /** A neural processing unit, found through Level Zero. */
  NPU(2),
  /** A GPU. */
  GPU(3);

  private final int nativeCode;

  Device(int nativeCode) {
    this.nativeCode = nativeCode;
  }

  int nativeCode() {
    return nativeCode;
  }
}
