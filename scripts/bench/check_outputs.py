"""Checks npujar's outputs against LibTorch and ONNX Runtime on the
benchmark models before any timing.

For each model, one seeded standard-normal input is written as .npy and run
through `npujar run`, once on the variant the runtime selects and once with
--jit (the bitcode compiled for this host). Both outputs are compared with
torch.jit.load on the same .pt, and ONNX Runtime's output on the .onnx too. Prints the maximum absolute
difference and that difference relative to the largest reference value,
and exits with 1 when any npujar output differs from LibTorch's by more
than --tolerance.

Usage: check_outputs.py MODELS_DIR [--cli build/cli/npujar] [--tolerance 1e-4]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime
import torch


def run_npujar(cli, archive, input_path, output_path, extra):
    command = [cli, "run", archive, "--input", input_path, "--output", output_path, "--threads", "2"]
    command += extra
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return np.load(output_path)


def compare(name, label, actual, expected, tolerance):
    if actual.shape != expected.shape:
        print(f"{name} {label}: shape {list(actual.shape)} differs from {list(expected.shape)}")
        return False
    difference = float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))
    scale = float(np.max(np.abs(expected)))
    within = difference <= tolerance
    print(f"{name} {label}: max abs diff {difference:.3g}, relative to max |ref| {scale:.3g}: "
          f"{difference / scale:.3g} {'ok' if within else 'MISMATCH'}")
    return within


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models_dir")
    parser.add_argument("--cli", default="build/cli/npujar")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--models", default="resnet18,mobilenet_v2,bert_base_encoder")
    args = parser.parse_args()

    with open(os.path.join(args.models_dir, "models.json")) as handle:
        specs = json.load(handle)

    torch.set_num_threads(2)
    all_within = True
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.models.split(","):
            spec = specs[name]
            x = np.random.default_rng(1).standard_normal(spec["shape"]).astype(np.float32)
            input_path = os.path.join(scratch, name + "_in.npy")
            np.save(input_path, x)

            with torch.no_grad():
                expected = torch.jit.load(spec["pt"]).eval()(torch.from_numpy(x)).numpy()
            session = onnxruntime.InferenceSession(spec["onnx"], providers=["CPUExecutionProvider"])
            from_ort = session.run(None, {session.get_inputs()[0].name: x})[0]
            compare(name, "ONNX Runtime vs LibTorch", from_ort, expected, args.tolerance)

            archive = os.path.join(args.models_dir, name + ".npujar")
            for label, extra in (("npujar selected variant vs LibTorch", []),
                                 ("npujar --jit vs LibTorch", ["--jit"])):
                output_path = os.path.join(scratch, name + "_out.npy")
                try:
                    actual = run_npujar(args.cli, archive, input_path, output_path, extra)
                except subprocess.CalledProcessError as error:
                    print(f"{name} {label}: npujar run failed with exit status {error.returncode}")
                    all_within = False
                    continue
                all_within &= compare(name, label, actual, expected, args.tolerance)
    sys.exit(0 if all_within else 1)


if __name__ == "__main__":
    main()
