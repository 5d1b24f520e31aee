#!/usr/bin/env bash
# pack -> compare for one importer test model: packs MODEL with pack's
# default targets (every x86-64 level, aarch64 and the portable bitcode),
# then runs `npujar compare --all --float64` on each of the model's input
# cases, which checks every variant this host runs and the JIT path against
# LibTorch's own forward() in float64. (LibTorch's float32 run carries
# rounding errors of its own, up to 1.4e-4 on resnet50's logits, which
# would add to npujar's.)
#
# Usage: compare_model.sh NPUJAR MODELS_DIR OUTPUT_DIR MODEL
#   MODELS_DIR is make_models.py's output (manifest.txt, .pt and .npy files).
set -euo pipefail

npujar=$1
models_dir=$2
output_dir=$3
model=$4

# manifest.txt: "model NAME FILE", then "input SPEC" and "case IN,IN OUT,OUT" lines.
file=""
specs=()
cases=()
current=""
while read -r kind first second; do
  case $kind in
    model) current=$first; [ "$current" = "$model" ] && file=$second ;;
    input) [ "$current" = "$model" ] && specs+=(--input "$first") ;;
    case) [ "$current" = "$model" ] && cases+=("$first") ;;
    *) current="" ;;
  esac
done < "$models_dir/manifest.txt"
if [ -z "$file" ]; then
  echo "compare_model: $model is not in $models_dir/manifest.txt" >&2
  exit 1
fi

mkdir -p "$output_dir"
archive=$output_dir/$model.npujar
if ! "$npujar" pack "$models_dir/$file" -o "$archive" "${specs[@]}" > "$output_dir/$model.pack.log" 2>&1; then
  cat "$output_dir/$model.pack.log" >&2
  exit 1
fi

# Each case's inputs, bound in forward()'s order.
export NPUJAR_CACHE_DIR=$output_dir/jit-cache
export NPUJAR_LOG_LEVEL=warn
for case_files in "${cases[@]}"; do
  inputs=()
  IFS=, read -r -a names <<< "$case_files"
  for name in "${names[@]}"; do
    inputs+=(--input "$models_dir/$name")
  done
  echo "== $model, inputs $case_files"
  "$npujar" compare "$models_dir/$file" "$archive" --all --float64 "${inputs[@]}"
done
