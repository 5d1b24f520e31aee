#!/usr/bin/env bash
# Sets up the machine, builds npujar and runs the demo.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
bash scripts/build.sh

# ---- Semantic search through the Maven plugin ------------------------------
# Exports all-MiniLM-L6-v2, packs it into the sample's JAR with the npujar
# Maven plugin and ranks sentences from Java; arguments form the query.
NPUJAR_BUILD_DIR="$root/build" bash "$root/samples/run-demo.sh" "$@"
