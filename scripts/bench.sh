#!/usr/bin/env bash
# Measures npujar against ONNX Runtime and LibTorch on resnet18, mobilenet_v2
# and a BERT-base-sized encoder (batch 1, fp32, 2 intra-op threads each) and
# prints a Markdown table for docs/benchmarks.md. Not part of the tests:
# benchmarks are run by hand on a quiet machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

NPUJAR_PIP_PACKAGES="onnxruntime==1.31.1" bash scripts/setup.sh
bash scripts/build.sh

models=${NPUJAR_BENCH_DIR:-$root/build/bench-models}
.venv/bin/python scripts/bench/make_bench_models.py "$models"
for name in resnet18 mobilenet_v2 bert_base_encoder; do
  input=$(.venv/bin/python -c "import json,sys; print(json.load(open('$models/models.json'))['$name']['input'])")
  if [ ! -f "$models/$name.npujar" ] || [ "$models/$name.pt" -nt "$models/$name.npujar" ]; then
    build/cli/npujar pack "$models/$name.pt" -o "$models/$name.npujar" --input "$input"
  fi
done

lscpu | grep -E "Model name|^CPU\(s\)"
.venv/bin/python scripts/bench/compare_peers.py "$models" "$@"
