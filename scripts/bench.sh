#!/usr/bin/env bash
# Measures npujar against ONNX Runtime and LibTorch on resnet18, mobilenet_v2
# and a BERT-base-sized encoder (batch 1, fp32, 2 intra-op threads each) and
# prints a Markdown table for docs/benchmarks.md. Not part of the tests:
# benchmarks are run by hand on a quiet machine.
#
# Environment: NPUJAR_BUILD_DIR (default build/) is where the CLI and the
# runtime library are built; NPUJAR_BENCH_DIR (default $NPUJAR_BUILD_DIR/
# bench-models) is where the models and archives are written; NPUJAR_JOBS
# limits the build's parallel jobs. Extra arguments go to compare_peers.py
# (--rounds, --iterations, --models).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build_dir=${NPUJAR_BUILD_DIR:-$root/build}
models=${NPUJAR_BENCH_DIR:-$build_dir/bench-models}

NPUJAR_PIP_PACKAGES="onnxruntime==1.31.1" bash scripts/setup.sh
cmake -S "$root" -B "$build_dir" -G Ninja
cmake --build "$build_dir" --target npujar npujar_runtime -j "${NPUJAR_JOBS:-$(nproc)}"

.venv/bin/python scripts/bench/make_bench_models.py "$models"
for name in resnet18 mobilenet_v2 bert_base_encoder; do
  input=$(.venv/bin/python -c "import json; print(json.load(open('$models/models.json'))['$name']['input'])")
  # A rebuilt npujar may compile different kernels, so its archives are redone.
  if [ ! -f "$models/$name.npujar" ] || [ "$models/$name.pt" -nt "$models/$name.npujar" ] ||
     [ "$build_dir/cli/npujar" -nt "$models/$name.npujar" ]; then
    "$build_dir/cli/npujar" pack "$models/$name.pt" -o "$models/$name.npujar" --input "$input"
  fi
done

# Outputs first: a fast wrong result is not worth timing.
.venv/bin/python scripts/bench/check_outputs.py "$models" --cli "$build_dir/cli/npujar"

lscpu | grep -E "Model name|^CPU\(s\)"
uptime
.venv/bin/python scripts/bench/compare_peers.py "$models" \
  --runtime-library "$build_dir/runtime/libnpujar_runtime.so" "$@"
uptime
