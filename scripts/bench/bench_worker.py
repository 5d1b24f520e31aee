"""Times one engine on one model in this process and prints JSON.

Engines: npujar (through the C API of libnpujar_runtime.so with ctypes),
onnxruntime, libtorch (TorchScript through torch.jit.load). Each uses
`--threads` intra-op threads and runs batch 1 fp32 inputs.

Output: {"engine", "model", "load_ms", "latencies_ms": [...], "cpu_ms": [...]}.
cpu_ms is the CPU time of the whole process (all its threads) per run. With
one thread it measures the work of a run even when other processes share
the cores. With more threads it also counts threads that spin while waiting.
"""
import argparse
import ctypes
import json
import time

import numpy as np


def time_runs(run_once, warmup, iterations):
    for _ in range(warmup):
        run_once()
    latencies = []
    cpu_times = []
    for _ in range(iterations):
        cpu_start = time.process_time()
        start = time.perf_counter()
        run_once()
        latencies.append((time.perf_counter() - start) * 1e3)
        cpu_times.append((time.process_time() - cpu_start) * 1e3)
    return latencies, cpu_times


def bench_libtorch(args, x):
    import torch
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model = torch.jit.load(args.model_file).eval()
    load_ms = (time.perf_counter() - start) * 1e3
    tensor = torch.from_numpy(x)

    def run_once():
        with torch.no_grad():
            model(tensor)
    return load_ms, run_once


def bench_onnxruntime(args, x):
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    start = time.perf_counter()
    session = onnxruntime.InferenceSession(args.model_file, options, providers=["CPUExecutionProvider"])
    load_ms = (time.perf_counter() - start) * 1e3
    name = session.get_inputs()[0].name
    return load_ms, lambda: session.run(None, {name: x})


def bench_npujar(args, x):
    lib = ctypes.CDLL(args.runtime_library)
    lib.npujar_status_message.restype = ctypes.c_char_p
    lib.npujar_options_create.restype = ctypes.c_void_p
    for function in ("npujar_options_create", "npujar_options_set_num_threads",
                     "npujar_model_load_file", "npujar_tensor_wrap", "npujar_model_run"):
        getattr(lib, function).restype = ctypes.c_void_p

    def check(status):
        if status:
            message = lib.npujar_status_message(ctypes.c_void_p(status)).decode()
            raise RuntimeError(f"npujar: {message}")

    options = ctypes.c_void_p()
    check(lib.npujar_options_create(ctypes.byref(options)))
    check(lib.npujar_options_set_num_threads(options, ctypes.c_int32(args.threads)))
    model = ctypes.c_void_p()
    start = time.perf_counter()
    check(lib.npujar_model_load_file(args.model_file.encode(), options, ctypes.byref(model)))
    load_ms = (time.perf_counter() - start) * 1e3

    dims = (ctypes.c_int64 * x.ndim)(*x.shape)
    tensor = ctypes.c_void_p()
    check(lib.npujar_tensor_wrap(ctypes.c_int(1), dims, ctypes.c_size_t(x.ndim),
                                 x.ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(x.nbytes),
                                 ctypes.byref(tensor)))
    inputs = (ctypes.c_void_p * 1)(tensor)
    output_count = lib.npujar_model_output_count(model)
    outputs = (ctypes.c_void_p * output_count)()

    def run_once():
        # Outputs stay allocated between runs: the runtime writes into them.
        check(lib.npujar_model_run(model, inputs, ctypes.c_size_t(1), outputs,
                                   ctypes.c_size_t(output_count)))
    return load_ms, run_once


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=["npujar", "onnxruntime", "libtorch"])
    parser.add_argument("model_file")
    parser.add_argument("--shape", required=True, help="input shape, e.g. 1,3,224,224")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--runtime-library", default="build/runtime/libnpujar_runtime.so")
    args = parser.parse_args()

    shape = [int(extent) for extent in args.shape.split(",")]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    setup = {"npujar": bench_npujar, "onnxruntime": bench_onnxruntime, "libtorch": bench_libtorch}
    load_ms, run_once = setup[args.engine](args, x)
    latencies, cpu_times = time_runs(run_once, args.warmup, args.iterations)
    print(json.dumps({"engine": args.engine, "model": args.model_file, "load_ms": load_ms,
                      "latencies_ms": latencies, "cpu_ms": cpu_times}))


if __name__ == "__main__":
    main()
