#!/usr/bin/env bash
# Exports mobilenet_v2 with Debian's torch and torchvision (no extra Python packages): writes
# models/mobilenet_v2.pt, imagenet_classes.txt and the test references. Safe to run again.
set -euo pipefail

sample=$(cd "$(dirname "$0")/.." && pwd)
python=${NPUJAR_PYTHON:-/usr/bin/python3}
"$python" "$sample/scripts/export_model.py" --sample-dir "$sample"
