#!/usr/bin/env bash
# `npujar compare`'s verdicts and error messages on real test models: a
# passing comparison, a failing one (zero tolerance), saved inputs that `run`
# reproduces, and every argument error with the message it must print.
#
# Usage: compare_cli_test.sh NPUJAR MODELS_DIR WORK_DIR
set -euo pipefail

npujar=$1
models=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
export NPUJAR_CACHE_DIR=$work/jit-cache NPUJAR_LOG_LEVEL=warn

failures=0
# expect STATUS TEXT -- COMMAND...: runs COMMAND, checks its exit status and
# that its output (stdout and stderr) contains TEXT.
expect() {
  local status=$1 text=$2
  shift 3
  local output actual=0
  output=$("$@" 2>&1) || actual=$?
  if [ "$actual" != "$status" ] || [[ "$output" != *"$text"* ]]; then
    echo "FAIL: $* exited $actual (want $status), output should contain: $text"
    echo "$output" | sed 's/^/    /'
    failures=$((failures + 1))
  else
    echo "ok: $*"
  fi
}

"$npujar" pack "$models/tiny_bert.pt" -o "$work/bert.npujar" --input 'ids:i64[1,16]' \
  --input 'mask:bool[1,16]' --targets cpu-x86-64-v2,bitcode-x86_64 > /dev/null 2>&1
"$npujar" pack "$models/mlp_traced.pt" -o "$work/mlp.npujar" --input 'x:f32[N,20]' \
  --targets cpu-x86-64-v2 > /dev/null 2>&1

bert=("$models/tiny_bert.pt" "$work/bert.npujar")
mlp=("$models/mlp_traced.pt" "$work/mlp.npujar")

# Passing comparisons: the selected variant, every path, a batch of 3.
expect 0 "all 1 path match LibTorch within atol 1.0e-04" -- "$npujar" compare "${bert[@]}"
expect 0 "all 3 paths match" -- "$npujar" compare "${bert[@]}" --all --reference
expect 0 "LibTorch in float64: 2 outputs" -- "$npujar" compare "${bert[@]}" --float64
expect 0 "x: f32[3,20], standard normal, seed 5" -- "$npujar" compare "${mlp[@]}" --dim N=3 --seed 5
expect 0 "ids: i64[1,16], uniform integers in [0, 64)" -- \
  "$npujar" compare "${bert[@]}" --int-range 0:64

# Zero tolerance: float32 rounding differs between LibTorch and npujar.
expect 1 "1 of 1 paths differ from LibTorch beyond atol 0.0e+00 + rtol 0.0e+00" -- \
  "$npujar" compare "${bert[@]}" --atol 0 --rtol 0
expect 1 "elements differ by more than atol + rtol * max|expected| = 0.00e+00; the worst at [" -- \
  "$npujar" compare "${bert[@]}" --atol 0 --rtol 0

# Saved inputs reproduce the comparison through run.
expect 0 "all 1 path" -- "$npujar" compare "${mlp[@]}" --dim N=2 --save-inputs "$work/saved"
expect 0 "output 'output0': f32 [2,10]" -- \
  "$npujar" run "$work/mlp.npujar" --input "$work/saved/x.npy" --output "$work/out.npy"
expect 0 "x: $work/saved/x.npy" -- "$npujar" compare "${mlp[@]}" --input "x=$work/saved/x.npy"

# Argument and input errors name the value and what to do.
expect 1 "--int-range '5:5' is not LO:HI with integers LO < HI" -- \
  "$npujar" compare "${bert[@]}" --int-range 5:5
expect 1 "--dim 'N=0' is not SYMBOL=VALUE" -- "$npujar" compare "${mlp[@]}" --dim N=0
expect 1 "no input of the archive has the symbolic dimension 'B'" -- \
  "$npujar" compare "${mlp[@]}" --dim B=2
expect 1 "the model has no input 'y'; its inputs are: x" -- \
  "$npujar" compare "${mlp[@]}" --input "y=$work/saved/x.npy"
expect 1 "narrow its values with --int-range" -- \
  "$npujar" compare "${bert[@]}" --int-range 0:1000000
expect 1 "LibTorch's forward() failed on these inputs" -- \
  "$npujar" compare "$models/conv_plain.pt" "$work/mlp.npujar"
expect 1 "not a TorchScript file" -- "$npujar" compare "$work/mlp.npujar" "$work/mlp.npujar"
expect 1 "JIT is forced, so only bitcode variants qualify" -- "$npujar" compare "${mlp[@]}" --jit
expect 1 "no-such.npujar" -- "$npujar" compare "$models/mlp_traced.pt" "$work/no-such.npujar"
expect 1 "variant 'cpu-x86-64-v9' not found; the archive has: cpu-x86-64-v2" -- \
  "$npujar" compare "${mlp[@]}" --variant cpu-x86-64-v9

if [ "$failures" -gt 0 ]; then
  echo "compare_cli_test: $failures checks failed"
  exit 1
fi
echo "compare_cli_test: all checks passed"
