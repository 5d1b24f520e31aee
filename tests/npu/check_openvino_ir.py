"""Run npujar's NPU variant (OpenVINO IR) on OpenVINO's CPU device and compare with LibTorch.

Usage: check_openvino_ir.py --tool npujar_npu_export --models DIR --work DIR MODEL...
       check_openvino_ir.py ... --expect-unsupported MODEL...

For each model of make_models.py's manifest.json in DIR, the tool writes the
XML and weights exactly as `npujar pack` stores them in the archive, and
OpenVINO's runtime (the PyPI package) compiles them for its CPU device in
f32. Every input case is run and each output must satisfy
|openvino - torch| <= 1e-4 + 1e-4 * |torch| against LibTorch's saved
outputs, and max |openvino - torch| <= 1e-4 * max |torch|. NPU shapes are static, so a case whose batch differs from 1 is run
on IR exported with `--batch` set to that case's value.

With --expect-unsupported, the export must instead report an operator with
no OpenVINO equivalent (exit status 3).
"""

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np
import openvino as ov

TOLERANCE_ABS = 1e-4
TOLERANCE_REL = 1e-4
TOLERANCE_SCALED = 1e-4


def case_batch(specs, input_files, models_dir):
    """Return the value of the symbol N in this case, or 1 when no dim is symbolic."""
    for spec, file in zip(specs, input_files):
        dims = spec.split("[")[1].rstrip("]").split(",")
        shape = np.load(os.path.join(models_dir, file)).shape
        for dim, extent in zip(dims, shape):
            match = re.fullmatch(r"(?:(\d+)\*)?([A-Za-z_]\w*)", dim)
            if match:
                coefficient = int(match.group(1) or 1)
                return extent // coefficient
    return 1


def export(args, name, entry, batch):
    prefix = os.path.join(args.work, f"{name}.batch{batch}")
    command = [args.tool, os.path.join(args.models, entry["file"]), prefix, "--batch", str(batch)]
    for spec in entry["inputs"]:
        command += ["--input", spec]
    result = subprocess.run(command, capture_output=True, text=True)
    return prefix, result


def compare(name, index, actual, expected):
    """Return an error line, or None when every element is within tolerance."""
    if actual.shape != expected.shape:
        return f"{name}: output {index}: shape {actual.shape}, LibTorch {expected.shape}"
    if actual.dtype == np.bool_ or expected.dtype == np.bool_:
        mismatches = int(np.count_nonzero(actual != expected))
        return f"{name}: output {index}: {mismatches} booleans differ" if mismatches else None
    a = actual.astype(np.float64)
    b = expected.astype(np.float64)
    difference = np.abs(a - b)
    bad = ~(difference <= TOLERANCE_ABS + TOLERANCE_REL * np.abs(b))
    max_abs = float(difference.max()) if difference.size else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(b != 0, difference / np.abs(b), 0.0)
    max_rel = float(relative.max()) if relative.size else 0.0
    # Outputs far below 1 (randomly initialized MobileNets give about 1e-11)
    # pass any absolute tolerance, so errors are also measured against the
    # output's largest magnitude.
    scale = float(np.abs(b).max()) if b.size else 0.0
    scaled = max_abs / scale if scale > 0 else 0.0
    print(f"  {name}: output {index}: {a.size} elements, max abs error {max_abs:.3g}, "
          f"max rel error {max_rel:.3g}, max error / max |expected| {scaled:.3g}")
    if scaled > TOLERANCE_SCALED:
        return (f"{name}: output {index}: max error {max_abs:.3g} is {scaled:.3g} of the largest "
                f"expected magnitude {scale:.3g}, above {TOLERANCE_SCALED}")
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        return (f"{name}: output {index}: {int(bad.sum())} of {a.size} elements differ beyond "
                f"1e-4 + 1e-4*|expected|; first at flat index {first}: OpenVINO "
                f"{a.flat[first]}, LibTorch {b.flat[first]}")
    return None


def check_model(args, core, name, entry):
    errors = []
    compiled = {}
    for number, case in enumerate(entry["cases"]):
        batch = case_batch(entry["inputs"], case["inputs"], args.models)
        if batch not in compiled:
            prefix, result = export(args, name, entry, batch)
            if result.returncode != 0:
                return [f"{name}: export failed with status {result.returncode}: "
                        f"{result.stdout.strip()} {result.stderr.strip()}"]
            model = core.read_model(prefix + ".xml", prefix + ".bin")
            compiled[batch] = core.compile_model(
                model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        inputs = [np.load(os.path.join(args.models, file)) for file in case["inputs"]]
        results = compiled[batch](inputs)
        outputs = [results[output] for output in compiled[batch].outputs]
        expected = [np.load(os.path.join(args.models, file)) for file in case["outputs"]]
        if len(outputs) != len(expected):
            errors.append(f"{name}: {len(outputs)} outputs, LibTorch has {len(expected)}")
            continue
        for index, (actual, wanted) in enumerate(zip(outputs, expected)):
            error = compare(f"{name} case {number}", index, np.asarray(actual), wanted)
            if error:
                errors.append(error)
    return errors


def check_unsupported(args, name, entry):
    _, result = export(args, name, entry, 1)
    if result.returncode != 3:
        return [f"{name}: expected the export to report an unsupported operator (status 3), "
                f"got status {result.returncode}: {result.stdout.strip()} {result.stderr.strip()}"]
    print(f"  {name}: {result.stdout.strip()}")
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, help="path of npujar_npu_export")
    parser.add_argument("--models", required=True, help="make_models.py output directory")
    parser.add_argument("--work", required=True, help="directory for the exported IR files")
    parser.add_argument("--expect-unsupported", action="store_true")
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)

    with open(os.path.join(args.models, "manifest.json")) as file:
        manifest = json.load(file)
    core = ov.Core()
    print(f"OpenVINO {ov.get_version()}")
    errors = []
    for name in args.names:
        entry = manifest["models"].get(name)
        if entry is None:
            errors.append(f"{name}: not in {args.models}/manifest.json; was make_models.py changed?")
            continue
        if args.expect_unsupported:
            errors += check_unsupported(args, name, entry)
        else:
            try:
                errors += check_model(args, core, name, entry)
            except RuntimeError as error:
                errors.append(f"{name}: OpenVINO rejected the IR: {error}")
    for error in errors:
        print("FAIL " + error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
