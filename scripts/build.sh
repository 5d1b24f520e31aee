#!/usr/bin/env bash
# Configures and builds npujar into build/ (or $NPUJAR_BUILD_DIR).
# Extra arguments go to CMake's configure step.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${NPUJAR_BUILD_DIR:-$root/build}
jobs=${NPUJAR_JOBS:-$(nproc)}

# Paths under the checkout are hashed relative to it, so clones in other
# directories (CI's, a second worktree) share ccache's entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}

cmake -S "$root" -B "$build_dir" -G Ninja "$@"
cmake --build "$build_dir" -j "$jobs"
