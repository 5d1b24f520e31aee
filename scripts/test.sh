#!/usr/bin/env bash
# Sets up the machine, builds npujar and runs every test: C++ unit and
# integration tests (CTest), the archive reader's fuzz target for a bounded
# time, the sanitizer build, and the Java, plugin and sample tests.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh

echo "== build"
bash scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo

echo "== C++ tests"
ctest --test-dir build --output-on-failure -j "$(nproc)"
