#!/usr/bin/env bash
# Exports mobilenet_v2 with Debian's torch and torchvision (no extra Python packages): writes
# models/mobilenet_v2.pt, imagenet_classes.txt and the test references. Safe to run again: it does nothing while its outputs are up to date.
set -euo pipefail

sample=$(cd "$(dirname "$0")/.." && pwd)
python=${NPUJAR_PYTHON:-/usr/bin/python3}
outputs=("$sample/models/mobilenet_v2.pt" "$sample/src/test/resources/reference-input.f32"
  "$sample/src/test/resources/reference-logits.f32")

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
"$python" "$sample/scripts/export_model.py" --sample-dir "$sample"
