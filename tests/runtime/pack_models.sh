#!/usr/bin/env bash
# Packs the named test models for the runtime's end-to-end tests.
# Usage: pack_models.sh NPUJAR MODELS_DIR ARCHIVES_DIR TARGETS MODEL...
# MODELS_DIR is the output of tests/models/make_models.py; its manifest.txt
# lists each model's file ("model NAME FILE") and --input specs ("input SPEC").
set -euo pipefail

npujar=$1
models_dir=$2
archives_dir=$3
targets=$4
shift 4

mkdir -p "$archives_dir"
for model in "$@"; do
  file=$(awk -v name="$model" '$1 == "model" && $2 == name { print $3 }' "$models_dir/manifest.txt")
  if [ -z "$file" ]; then
    echo "pack_models: model '$model' is not in $models_dir/manifest.txt" >&2
    exit 1
  fi
  inputs=()
  while read -r spec; do
    inputs+=(--input "$spec")
  done < <(awk -v name="$model" '
    $1 == "model" { current = $2 }
    $1 == "input" && current == name { print $2 }' "$models_dir/manifest.txt")

  echo "pack_models: $model"
  "$npujar" pack "$models_dir/$file" -o "$archives_dir/$model.npujar" --name "$model" \
    --targets "$targets" "${inputs[@]}"
done
