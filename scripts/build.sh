#!/usr/bin/env bash
# Configures and builds npujar into build/ (or $NPUJAR_BUILD_DIR).
# Extra arguments go to CMake's configure step.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${NPUJAR_BUILD_DIR:-$root/build}
jobs=${NPUJAR_JOBS:-$(nproc)}

cmake -S "$root" -B "$build_dir" -G Ninja "$@"
cmake --build "$build_dir" -j "$jobs"
