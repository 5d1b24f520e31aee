#!/usr/bin/env python3
"""Pack every model of a make_models.py output directory and compare its outputs.

Usage: check_archives.py NPUJAR MODELS_DIR WORK_DIR [--only NAME ...]

For each model in MODELS_DIR/manifest.json, runs `npujar pack` with the
model's `--input` specs, then `npujar run --reference` on each case's inputs,
and compares every output with the expected `.npy` file. An output matches
when |actual - expected| <= 1e-4 + 1e-4 * |expected| for every element, the
tolerance of the importer's numeric tests. Prints one line per model and a
closing "N passed, N failed" line, and exits with status 1 when any model
failed to pack, failed to run or did not match.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

ABSOLUTE_TOLERANCE = 1e-4
RELATIVE_TOLERANCE = 1e-4
# Only the IR reference executor runs here, so the cheapest variant to
# compile is enough for a valid archive.
PACK_TARGETS = "bitcode-x86_64"


def run_npujar(command):
    """Run npujar; return None on success, else the last lines of its error output."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode == 0:
        return None
    lines = (result.stderr or result.stdout).strip().splitlines() or [f"exit status {result.returncode}"]
    return " / ".join(lines[-3:])


def compare(actual, expected):
    """Return (max abs error, max rel error, within tolerance)."""
    if actual.shape != expected.shape:
        raise ValueError(f"shape {list(actual.shape)} where {list(expected.shape)} was expected")
    actual = actual.astype(np.float64)
    expected = expected.astype(np.float64)
    difference = np.abs(actual - expected)
    if difference.size == 0:
        return 0.0, 0.0, True
    nonzero = expected != 0
    max_rel = float((difference[nonzero] / np.abs(expected[nonzero])).max()) if nonzero.any() else 0.0
    within = bool((difference <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * np.abs(expected)).all())
    return float(difference.max()), max_rel, within


def check_model(npujar, models_dir, work_dir, name, entry):
    """Pack and run one model; return (passed, description)."""
    archive = os.path.join(work_dir, f"{name}.npujar")
    pack = [npujar, "pack", os.path.join(models_dir, entry["file"]), "-o", archive,
            "--targets", PACK_TARGETS]
    for spec in entry["inputs"]:
        pack += ["--input", spec]
    error = run_npujar(pack)
    if error:
        return False, f"pack failed: {error}"

    max_abs = max_rel = 0.0
    for case_index, case in enumerate(entry["cases"]):
        outputs = [os.path.join(work_dir, f"{name}.case{case_index}.out{i}.npy")
                   for i in range(len(case["outputs"]))]
        run = [npujar, "run", archive, "--reference"]
        run += ["--input"] + [os.path.join(models_dir, file) for file in case["inputs"]]
        run += ["--output"] + outputs
        error = run_npujar(run)
        if error:
            return False, f"run failed on case {case_index}: {error}"
        for index, (output, expected_file) in enumerate(zip(outputs, case["outputs"])):
            expected = np.load(os.path.join(models_dir, expected_file))
            try:
                case_abs, case_rel, within = compare(np.load(output), expected)
            except ValueError as mismatch:
                return False, f"case {case_index} output {index}: {mismatch}"
            max_abs, max_rel = max(max_abs, case_abs), max(max_rel, case_rel)
            if not within:
                return False, (f"case {case_index} output {index} differs beyond tolerance: "
                               f"max abs error {case_abs:.3g}, max rel error {case_rel:.3g}")
    return True, f"max abs error {max_abs:.3g}, max rel error {max_rel:.3g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("npujar", help="the npujar binary")
    parser.add_argument("models_dir", help="an output directory of make_models.py")
    parser.add_argument("work_dir", help="directory for the archives and outputs")
    parser.add_argument("--only", nargs="*", help="check only these models")
    args = parser.parse_args()

    with open(os.path.join(args.models_dir, "manifest.json")) as file:
        manifest = json.load(file)
    os.makedirs(args.work_dir, exist_ok=True)
    print(f"check_archives: models saved by torch {manifest['torch_version']}")

    passed = failed = 0
    for name, entry in manifest["models"].items():
        if args.only and name not in args.only:
            continue
        ok, description = check_model(args.npujar, args.models_dir, args.work_dir, name, entry)
        print(f"{'ok    ' if ok else 'FAILED'} {name}: {description}", flush=True)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
