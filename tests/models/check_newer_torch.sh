#!/usr/bin/env bash
# Checks that TorchScript files saved by a newer PyTorch from PyPI import
# into npujar and compute what that PyTorch computes. It is not part of the
# test suite because the first run downloads about 5 GB: the PyPI torch
# wheel is built for CUDA and does not import without its nvidia-* packages,
# even on a machine without a GPU.
#
# Usage: tests/models/check_newer_torch.sh [NPUJAR]
#
# NPUJAR defaults to build/cli/npujar. The virtual environment
# .venv-newer-torch at the repository root is created on the first run and
# reused after. The models and archives go to $WORK_DIR when it is set, and
# to a temporary directory otherwise. Prints one line per model and
# "N passed, N failed", and exits with status 1 when any model fails.
set -euo pipefail

TORCH_VERSION=2.15.0
TORCHVISION_VERSION=0.29.2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
npujar=${1:-$root/build/cli/npujar}
venv=$root/.venv-newer-torch
python=$venv/bin/python

if [ ! -x "$npujar" ]; then
  echo "check_newer_torch: npujar binary '$npujar' not found; build it or pass its path" >&2
  exit 1
fi
npujar=$(realpath "$npujar")

installed=$("$python" -c 'import torch, torchvision; print(torch.__version__.split("+")[0])' 2>/dev/null || true)
if [ "$installed" != "$TORCH_VERSION" ]; then
  echo "check_newer_torch: installing torch $TORCH_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" numpy
fi

if [ -n "${WORK_DIR:-}" ]; then
  work=$WORK_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

# make_models.py skips the export when $work/models is up to date.
echo "check_newer_torch: exporting the test models with torch $TORCH_VERSION into $work/models"
if ! "$python" -W ignore "$root/tests/models/make_models.py" "$work/models" >"$work/make_models.log" 2>&1; then
  tail -n 20 "$work/make_models.log" >&2
  echo "check_newer_torch: make_models.py failed; its last output lines are above" >&2
  exit 1
fi

"$python" "$root/tests/models/check_archives.py" "$npujar" "$work/models" "$work/archives"
