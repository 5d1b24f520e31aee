"""Runs npujar, ONNX Runtime and LibTorch side by side on the benchmark
models, interleaved round by round so that drift on a shared machine hits
every engine alike, and prints a Markdown table of medians and ratios.

Usage: compare_peers.py MODELS_DIR [--rounds 5] [--threads 2]
MODELS_DIR holds models.json from make_bench_models.py and, per model,
NAME.npujar packed by `npujar pack`.
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys

ENGINES = ["npujar", "onnxruntime", "libtorch"]


def openblas_core_override():
    """Return an OPENBLAS_CORETYPE for CPUs that the system OpenBLAS does not know.

    Debian 12's OpenBLAS 0.3.21 falls back to its SSE3 "Prescott" kernels on
    CPUs released after it (an Intel Xeon of family 6, model 207, for one),
    which made LibTorch's matmuls 4 to 7 times slower here. Name the
    AVX-512 or AVX2 kernels instead when the host has those instructions.
    """
    try:
        blas = ctypes.CDLL("libblas.so.3")
        blas.openblas_get_corename.restype = ctypes.c_char_p
        if blas.openblas_get_corename() != b"Prescott":
            return None
    except (OSError, AttributeError):
        return None
    with open("/proc/cpuinfo") as handle:
        flags = next((line.split() for line in handle if line.startswith("flags")), [])
    if "avx512f" in flags:
        return "SkylakeX"
    if "avx2" in flags:
        return "Haswell"
    return None


def run_worker(engine, model_file, shape, args, openblas_core):
    env = dict(os.environ)
    # LibTorch's best setting here: OpenMP threads sleep instead of spinning,
    # and OpenBLAS uses the host's vector width.
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    if "OPENBLAS_CORETYPE" not in env and openblas_core is not None:
        env["OPENBLAS_CORETYPE"] = openblas_core
    command = [sys.executable, os.path.join(os.path.dirname(__file__), "bench_worker.py"), engine,
               model_file, "--shape", ",".join(str(extent) for extent in shape),
               "--threads", str(args.threads), "--iterations", str(args.iterations),
               "--runtime-library", args.runtime_library]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models_dir")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--models", default="resnet18,mobilenet_v2,bert_base_encoder")
    parser.add_argument("--runtime-library", default="build/runtime/libnpujar_runtime.so")
    args = parser.parse_args()

    openblas_core = openblas_core_override()
    if openblas_core is not None:
        print(f"LibTorch runs with OPENBLAS_CORETYPE={openblas_core}", file=sys.stderr)

    with open(os.path.join(args.models_dir, "models.json")) as handle:
        specs = json.load(handle)

    rows = []
    for name in args.models.split(","):
        spec = specs[name]
        files = {"npujar": os.path.join(args.models_dir, name + ".npujar"),
                 "onnxruntime": spec["onnx"], "libtorch": spec["pt"]}
        medians = {engine: [] for engine in ENGINES}
        cpu_medians = {engine: [] for engine in ENGINES}
        loads = {engine: [] for engine in ENGINES}
        for round_index in range(args.rounds):
            for engine in ENGINES:
                result = run_worker(engine, files[engine], spec["shape"], args, openblas_core)
                medians[engine].append(statistics.median(result["latencies_ms"]))
                cpu_medians[engine].append(statistics.median(result["cpu_ms"]))
                loads[engine].append(result["load_ms"])
            print(f"{name} round {round_index + 1}: " + ", ".join(
                f"{engine} {medians[engine][-1]:.2f} ms" for engine in ENGINES), file=sys.stderr)
        # Ratios are taken per round, then the median of the ratios.
        ratio_ort = statistics.median(a / b for a, b in zip(medians["npujar"], medians["onnxruntime"]))
        ratio_torch = statistics.median(a / b for a, b in zip(medians["npujar"], medians["libtorch"]))
        rows.append((name, {engine: statistics.median(medians[engine]) for engine in ENGINES},
                     {engine: statistics.median(loads[engine]) for engine in ENGINES},
                     ratio_ort, ratio_torch,
                     {engine: statistics.median(cpu_medians[engine]) for engine in ENGINES}))

    print("| model | npujar ms | ONNX Runtime ms | LibTorch ms | npujar / ORT | npujar / LibTorch "
          "| npujar load ms | ORT session ms | LibTorch load ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, latency, load, ratio_ort, ratio_torch, _ in rows:
        print(f"| {name} | {latency['npujar']:.2f} | {latency['onnxruntime']:.2f} | "
              f"{latency['libtorch']:.2f} | {ratio_ort:.2f} | {ratio_torch:.2f} | "
              f"{load['npujar']:.1f} | {load['onnxruntime']:.1f} | {load['libtorch']:.1f} |")


    # Process CPU time per run: with --threads 1 the least disturbed by
    # other processes on the machine, so print it as a second table.
    print()
    print("| model | npujar CPU ms | ONNX Runtime CPU ms | LibTorch CPU ms |")
    print("|---|---|---|---|")
    for name, _, _, _, _, cpu in rows:
        print(f"| {name} | {cpu['npujar']:.2f} | {cpu['onnxruntime']:.2f} | {cpu['libtorch']:.2f} |")


if __name__ == "__main__":
    main()
