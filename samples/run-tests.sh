#!/usr/bin/env bash
# Tests the Maven and Gradle plugins and builds and tests both samples, against the npujar CLI
# and Java runtime in build/ (or $NPUJAR_BUILD_DIR). scripts/test.sh runs it after building.
#
# What runs depends on what is built, and each skip is printed:
# - plugin unit and wiring tests always run;
# - plugin integration tests that pack run when build/cli/npujar has the pack command;
# - the samples build when the JNI library is built (they need dev.npujar:npujar-runtime), and
#   their model tests run when npujar can also pack.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=samples/lib.sh
source "$root/samples/lib.sh"

pack_options=()
gradle_pack_options=()
if npujar_can_pack; then
  pack_options=(-Dnpujar.executable="$npujar")
  gradle_pack_options=(-Pnpujar.executable="$npujar")
  it_options=(-Dnpujar.it.executable="$npujar")
  gradle_it_options=(-Pnpujar.it.executable="$npujar")
else
  echo "samples: $npujar has no pack command yet; packing tests are skipped and the samples build without archives"
  pack_options=(-Dnpujar.skip=true)
  gradle_pack_options=(-Pnpujar.skip=true)
  it_options=()
  gradle_it_options=()
fi

echo "== Maven plugin: unit and integration tests, install"
mvn "${mvn_flags[@]}" -f "$root/maven-plugin/pom.xml" install "${it_options[@]}"

echo "== Gradle plugin: tests, publish to the local Maven repository"
gradle --no-daemon --console=plain -p "$root/gradle-plugin" test publishToMavenLocal "${gradle_it_options[@]}"

if ! runtime_jni_built; then
  echo "samples: $jni_dir/libnpujar_jni.so is not built, so npujar-runtime cannot be installed; skipping both samples"
  exit 0
fi
install_runtime

echo "== semantic-search sample (Maven): export, pack, tokenizer and embedding tests"
bash "$root/samples/semantic-search/scripts/export-model.sh"
mvn "${mvn_flags[@]}" -f "$root/samples/semantic-search/pom.xml" verify "${pack_options[@]}"

echo "== image-classification sample (Gradle): export, pack, preprocessing and logits tests"
bash "$root/samples/image-classification/scripts/export-model.sh"
gradle --no-daemon --console=plain -p "$root/samples/image-classification" build "${gradle_pack_options[@]}"
