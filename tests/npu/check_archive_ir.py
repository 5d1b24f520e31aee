"""Read the NPU sections out of .npujar archives, following docs/format.md, and run them on OpenVINO.

Usage: check_archive_ir.py --archives DIR --models DIR --work DIR MODEL...

For each MODEL, DIR/MODEL.npujar is parsed with this file's own reader of
the archive format (header, section table, zstd sections through the `zstd`
tool), independently of npujar's C++ reader. The bytes of
variant/npu-openvino/model.xml and weights.bin are written out and checked
on OpenVINO's CPU device against LibTorch's outputs, with the tolerances of
check_openvino_ir.py. This checks what the archive stores and that the
format document describes it.
"""

import argparse
import json
import os
import struct
import subprocess
import sys

import numpy as np
import openvino as ov

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_openvino_ir import compare  # noqa: E402

MAGIC = b"\x89NPUJAR\n"
HEADER = struct.Struct("<8sHHIQIIQQ8sQ")  # the 64-byte header
ENTRY = struct.Struct("<48sIIQQQIIQ32s")  # the first 128 bytes of a section entry
MODEL_SECTION = "variant/npu-openvino/model.xml"
WEIGHTS_SECTION = "variant/npu-openvino/weights.bin"


class FormatError(Exception):
    pass


def read_sections(path):
    """Return {name: raw bytes} for every section, checking the layout rules this needs."""
    with open(path, "rb") as file:
        data = file.read()
    if len(data) < HEADER.size:
        raise FormatError(f"{path}: {len(data)} bytes, shorter than the 64-byte header")
    (magic, major, _minor, header_size, table_offset, count, entry_size, file_size, _checksum,
     _reserved, _header_checksum) = HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise FormatError(f"{path}: magic {magic!r} is not {MAGIC!r}")
    if major != 1:
        raise FormatError(f"{path}: major version {major}, expected 1")
    if file_size != len(data):
        raise FormatError(f"{path}: header says {file_size} bytes, the file has {len(data)}")
    if entry_size < ENTRY.size or table_offset + count * entry_size > file_size:
        raise FormatError(f"{path}: section table ({count} x {entry_size} at {table_offset}) "
                          f"does not fit")

    sections = {}
    for index in range(count):
        (name, _kind, _flags, offset, stored_size, raw_size, compression, alignment, _checksum,
         _reserved) = ENTRY.unpack_from(data, table_offset + index * entry_size)
        name = name.rstrip(b"\0").decode("ascii")
        if offset < header_size or offset + stored_size > table_offset or offset % alignment:
            raise FormatError(f"{path}: section '{name}' at {offset} ({stored_size} bytes, "
                              f"alignment {alignment}) breaks the layout")
        stored = data[offset:offset + stored_size]
        if compression == 0:
            raw = stored
        elif compression == 1:
            raw = subprocess.run(["zstd", "-d", "-c", "-q"], input=stored, capture_output=True,
                                 check=True).stdout
        else:
            raise FormatError(f"{path}: section '{name}' has unknown compression {compression}")
        if len(raw) != raw_size:
            raise FormatError(f"{path}: section '{name}' has {len(raw)} raw bytes, "
                              f"the table says {raw_size}")
        sections[name] = raw
    return sections


def check(args, core, name, entry):
    sections = read_sections(os.path.join(args.archives, f"{name}.npujar"))
    for section in (MODEL_SECTION, WEIGHTS_SECTION):
        if section not in sections:
            return [f"{name}: the archive has no section '{section}'"]
    prefix = os.path.join(args.work, f"{name}.archive")
    with open(prefix + ".xml", "wb") as file:
        file.write(sections[MODEL_SECTION])
    with open(prefix + ".bin", "wb") as file:
        file.write(sections[WEIGHTS_SECTION])
    compiled = core.compile_model(core.read_model(prefix + ".xml", prefix + ".bin"), "CPU",
                                  {"INFERENCE_PRECISION_HINT": "f32"})

    errors = []
    # Archives are packed for batch 1, so only cases of that batch apply.
    for number, case in enumerate(entry["cases"]):
        inputs = [np.load(os.path.join(args.models, file)) for file in case["inputs"]]
        if any(tuple(i.shape) != tuple(p.get_shape()) for i, p in zip(inputs, compiled.inputs)):
            continue
        results = compiled(inputs)
        for index, output in enumerate(compiled.outputs):
            expected = np.load(os.path.join(args.models, case["outputs"][index]))
            error = compare(f"{name} case {number} (archive)", index, np.asarray(results[output]),
                            expected)
            if error:
                errors.append(error)
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archives", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(args.models, "manifest.json")) as file:
        manifest = json.load(file)

    core = ov.Core()
    errors = []
    for name in args.names:
        try:
            errors += check(args, core, name, manifest["models"][name])
        except (FormatError, RuntimeError, KeyError, subprocess.CalledProcessError) as error:
            errors.append(f"{name}: {error}")
    for error in errors:
        print("FAIL " + error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
