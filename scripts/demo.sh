#!/usr/bin/env bash
# Sets up the machine, builds npujar and runs the demo.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
bash scripts/build.sh
