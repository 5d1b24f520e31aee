"""Times ONNX Runtime on the single convolutions and GEMMs of the kernel
benchmark (kernels/bench/kernels_bench.cc), so that npujar's kernels can be
compared with ONNX Runtime layer by layer.

Each shape becomes a one-node model: Conv + ReLU ("same" padding), a 3x3
depthwise Conv + ReLU6, or MatMul with a constant right operand. Every model runs on one intra-op
thread and is timed in the calling thread's CPU time, which stays
meaningful when other processes share the cores. Prints the median CPU time per run and GFLOP/s
counted as direct-convolution (or GEMM) FLOPs, like the kernel benchmark.

Usage: ort_conv_shapes.py [--runs 30] [--tables conv,depthwise,gemm]
"""
import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import onnxruntime
import torch

# (C, H=W, O, kernel, stride), as in kernels_bench.cc's conv_shapes.
CONV_SHAPES = [(64, 56, 64, 3, 1), (128, 28, 128, 3, 1), (256, 14, 256, 3, 1), (512, 7, 512, 3, 1),
               (3, 224, 64, 7, 2), (256, 56, 64, 1, 1), (64, 56, 256, 1, 1), (3, 224, 32, 3, 2),
               (64, 56, 128, 3, 2), (64, 56, 128, 1, 2), (128, 28, 256, 3, 2), (256, 14, 512, 3, 2)]
# (C, H=W, stride) of 3x3 depthwise convolutions with ReLU6, as in
# kernels_bench.cc's BM_Depthwise: the shapes of mobilenet_v2 at 224x224.
DEPTHWISE_SHAPES = [(32, 112, 1), (96, 112, 2), (144, 56, 1), (144, 56, 2), (192, 28, 1),
                    (192, 28, 2), (384, 14, 1), (576, 14, 1), (576, 14, 2), (960, 7, 1)]
# (M, N, K), as in kernels_bench.cc's gemm_shapes.
GEMM_SHAPES = [(3136, 64, 576), (3136, 256, 64), (784, 128, 1152), (196, 256, 2304), (49, 512, 4608),
               (128, 768, 768), (128, 3072, 768), (128, 768, 3072)]


class MatMul(torch.nn.Module):
    def __init__(self, k, n):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(k, n))

    def forward(self, a):
        return a @ self.weight


def cpu_ms_per_run(path, x, runs):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: x}
    for _ in range(3):
        session.run(None, feed)
    # The calling thread's CPU time: a one-thread session computes on the
    # calling thread, while some other thread of the process spins during
    # each run. On an idle machine, process CPU time counted that thread
    # too (2.9 ms against 1.46 ms of thread time and 1.46 ms wall time for
    # GEMM 3136x64x576, onnxruntime 1.31.1).
    times = []
    for _ in range(runs):
        start = time.thread_time()
        session.run(None, feed)
        times.append((time.thread_time() - start) * 1e3)
    return statistics.median(times)


def export(module, example, path):
    with torch.no_grad():
        torch.onnx.export(module.eval(), example, path, input_names=["x"], opset_version=14)


def print_conv_table(scratch, runs):
    print("| conv C/H/O/k/s | ORT CPU ms | ORT GFLOP/s |")
    print("|---|---|---|")
    for c, h, o, k, s in CONV_SHAPES:
        module = torch.nn.Sequential(torch.nn.Conv2d(c, o, k, s, k // 2), torch.nn.ReLU())
        example = torch.randn(1, c, h, h)
        path = os.path.join(scratch, "conv.onnx")
        export(module, example, path)
        ms = cpu_ms_per_run(path, example.numpy(), runs)
        out = (h + 2 * (k // 2) - k) // s + 1
        flops = 2.0 * o * out * out * c * k * k
        print(f"| {c}/{h}/{o}/{k}/{s} | {ms:.2f} | {flops / ms / 1e6:.0f} |")
    print()


def print_depthwise_table(scratch, runs):
    print("| depthwise C/H/s | ORT CPU ms | ORT GB/s (input + output) |")
    print("|---|---|---|")
    for c, h, s in DEPTHWISE_SHAPES:
        module = torch.nn.Sequential(torch.nn.Conv2d(c, c, 3, s, 1, groups=c), torch.nn.ReLU6())
        example = torch.randn(1, c, h, h)
        path = os.path.join(scratch, "depthwise.onnx")
        export(module, example, path)
        ms = cpu_ms_per_run(path, example.numpy(), runs)
        out = (h + 2 - 3) // s + 1
        print(f"| {c}/{h}/{s} | {ms:.3f} | {4.0 * c * (h * h + out * out) / ms / 1e6:.1f} |")
    print()


def print_gemm_table(scratch, runs):
    print("| GEMM M/N/K | ORT CPU ms | ORT GFLOP/s |")
    print("|---|---|---|")
    for m, n, k in GEMM_SHAPES:
        example = torch.randn(m, k)
        path = os.path.join(scratch, "gemm.onnx")
        export(MatMul(k, n), example, path)
        ms = cpu_ms_per_run(path, example.numpy(), runs)
        print(f"| {m}/{n}/{k} | {ms:.2f} | {2.0 * m * n * k / ms / 1e6:.0f} |")
    print()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--tables", default="conv,depthwise,gemm",
                        help="comma-separated tables to print: conv, depthwise, gemm (default: all)")
    args = parser.parse_args()
    tables = set(args.tables.split(","))
    unknown = tables - {"conv", "depthwise", "gemm"}
    if unknown:
        parser.error(f"unknown table(s) {sorted(unknown)}; expected conv, depthwise or gemm")

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as scratch:
        if "conv" in tables:
            print_conv_table(scratch, args.runs)
        if "depthwise" in tables:
            print_depthwise_table(scratch, args.runs)
        if "gemm" in tables:
            print_gemm_table(scratch, args.runs)


if __name__ == "__main__":
    main()
