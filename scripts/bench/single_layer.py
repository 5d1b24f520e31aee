"""Times npujar and ONNX Runtime on single layers of resnet18 and
mobilenet_v2, to find which layers make up the gap between them.

Each layer becomes its own model (TorchScript for `npujar pack`, ONNX for
ONNX Runtime), packed for cpu-x86-64-v4 only, and is timed by
bench_worker.py with one thread in process CPU time, which stays
meaningful when other processes share the cores. Prints a Markdown table of
medians over --rounds interleaved rounds.

Usage: single_layer.py WORK_DIR [--cli build/cli/npujar]
           [--runtime-library build/runtime/libnpujar_runtime.so] [--rounds 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import torch
import torchvision


def conv_bn_relu(c, o, k, s):
    return torch.nn.Sequential(torch.nn.Conv2d(c, o, k, s, k // 2, bias=False), torch.nn.BatchNorm2d(o),
                               torch.nn.ReLU())


def resnet_block(c, o, s):
    downsample = None
    if s != 1 or c != o:
        downsample = torch.nn.Sequential(torch.nn.Conv2d(c, o, 1, s, bias=False), torch.nn.BatchNorm2d(o))
    return torchvision.models.resnet.BasicBlock(c, o, s, downsample)


def mobilenet_block(c, o, s, t):
    return torchvision.models.mobilenetv2.InvertedResidual(c, o, s, t)


# name: (module factory, input shape)
LAYERS = {
    "r18 stem conv7x7 s2 + bn + relu": (lambda: conv_bn_relu(3, 64, 7, 2), (1, 3, 224, 224)),
    "r18 maxpool 3x3 s2": (lambda: torch.nn.MaxPool2d(3, 2, 1), (1, 64, 112, 112)),
    "r18 block 64@56": (lambda: resnet_block(64, 64, 1), (1, 64, 56, 56)),
    "r18 block 64->128 s2": (lambda: resnet_block(64, 128, 2), (1, 64, 56, 56)),
    "r18 block 128@28": (lambda: resnet_block(128, 128, 1), (1, 128, 28, 28)),
    "r18 block 256@14": (lambda: resnet_block(256, 256, 1), (1, 256, 14, 14)),
    "r18 block 512@7": (lambda: resnet_block(512, 512, 1), (1, 512, 7, 7)),
    "mnv2 block 24->32 s2 t6 @56": (lambda: mobilenet_block(24, 32, 2, 6), (1, 24, 56, 56)),
    "mnv2 block 64@14 t6": (lambda: mobilenet_block(64, 64, 1, 6), (1, 64, 14, 14)),
    "mnv2 block 160@7 t6": (lambda: mobilenet_block(160, 160, 1, 6), (1, 160, 7, 7)),
}


def file_stem(name):
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def write_models(work_dir, cli):
    torch.manual_seed(0)
    for name, (build, shape) in LAYERS.items():
        stem = os.path.join(work_dir, file_stem(name))
        if os.path.exists(stem + ".npujar"):
            continue
        module = build().eval()
        example = torch.randn(*shape)
        with torch.no_grad():
            traced = torch.jit.trace(module, example)
            traced.save(stem + ".pt")
            torch.onnx.export(module, example, stem + ".onnx", input_names=["x"], opset_version=14)
        dims = ",".join(str(extent) for extent in shape)
        subprocess.run([cli, "pack", stem + ".pt", "-o", stem + ".npujar", "--input", f"x:f32[{dims}]",
                        "--targets", "cpu-x86-64-v4"], check=True, stdout=subprocess.DEVNULL)


def cpu_ms(engine, model_file, shape, runtime_library):
    worker = os.path.join(os.path.dirname(__file__), "bench_worker.py")
    command = [sys.executable, worker, engine, model_file, "--shape", ",".join(str(e) for e in shape),
               "--threads", "1", "--iterations", "30", "--runtime-library", runtime_library]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return statistics.median(json.loads(output.strip().splitlines()[-1])["cpu_ms"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work_dir")
    parser.add_argument("--cli", default="build/cli/npujar")
    parser.add_argument("--runtime-library", default="build/runtime/libnpujar_runtime.so")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    os.makedirs(args.work_dir, exist_ok=True)
    write_models(args.work_dir, args.cli)

    print("| layer (1 thread) | npujar CPU ms | ONNX Runtime CPU ms | npujar / ORT |")
    print("|---|---|---|---|")
    for name, (_, shape) in LAYERS.items():
        stem = os.path.join(args.work_dir, file_stem(name))
        npujar_ms, ort_ms = [], []
        for _ in range(args.rounds):
            npujar_ms.append(cpu_ms("npujar", stem + ".npujar", shape, args.runtime_library))
            ort_ms.append(cpu_ms("onnxruntime", stem + ".onnx", shape, args.runtime_library))
        ratio = statistics.median(a / b for a, b in zip(npujar_ms, ort_ms))
        print(f"| {name} | {statistics.median(npujar_ms):.3f} | {statistics.median(ort_ms):.3f} | {ratio:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
