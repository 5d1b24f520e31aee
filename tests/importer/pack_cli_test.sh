#!/usr/bin/env bash
# Checks `npujar pack` and `npujar inspect --graph` end to end on the test
# models: a model packs into an archive whose manifest and graph describe
# it, and a model with unsupported operators stops packing before any file
# is written.
# Usage: pack_cli_test.sh NPUJAR MODELS_DIR
set -euo pipefail

npujar=$1
models=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "pack_cli_test: $*" >&2
  exit 1
}

expect_contains() {
  local text=$1 part=$2 what=$3
  grep -qF -- "$part" <<<"$text" || fail "$what: expected '$part' in:"$'\n'"$text"
}

output=$("$npujar" pack "$models/mlp_traced.pt" -o "$work/mlp.npujar" --input 'x:f32[N,20]' --name mlp 2>&1) ||
  fail "packing mlp_traced.pt failed:"$'\n'"$output"
expect_contains "$output" "packed mlp into $work/mlp.npujar" "pack report"
expect_contains "$output" "weights:" "pack report"
[ -s "$work/mlp.npujar" ] || fail "pack reported success but $work/mlp.npujar is missing or empty"

summary=$("$npujar" inspect "$work/mlp.npujar")
expect_contains "$summary" "model: mlp" "inspect"
expect_contains "$summary" "x: f32 [N,20]" "inspect"
expect_contains "$summary" "output0: f32 [N,10]" "inspect"
expect_contains "$summary" "producer: npujar " "inspect"

graph=$("$npujar" inspect --graph "$work/mlp.npujar")
expect_contains "$graph" "graph mlp(%x: f32[N,20])" "inspect --graph"
expect_contains "$graph" "linear(" "inspect --graph"
expect_contains "$graph" "log_softmax(" "inspect --graph"

if output=$("$npujar" pack "$models/error_unsupported_op.pt" -o "$work/bad.npujar" --input 'x:f32[8]' 2>&1); then
  fail "packing a model with unsupported operators succeeded"
fi
expect_contains "$output" "aten::fft_fft at " "unsupported operator error"
expect_contains "$output" "nothing was written" "unsupported operator error"
[ ! -e "$work/bad.npujar" ] || fail "a failed pack left $work/bad.npujar behind"

echo "pack_cli_test: all checks passed"
