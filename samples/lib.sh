# Shared steps of samples/run-tests.sh and samples/run-demo.sh; source it, don't run it.
# Expects root (the repository) to be set. Sets build_dir, npujar, jni_dir, mvn_flags.

build_dir=${NPUJAR_BUILD_DIR:-$root/build}
npujar="$build_dir/cli/npujar"
jni_dir="$build_dir/runtime/jni"
mvn_flags=(-B -ntp)

# Returns success when the built npujar has the pack command. Checking the exit status of
# `npujar pack --help` is not enough: without a pack command the top-level help handles it and exits 0.
npujar_can_pack() {
  local help
  [ -x "$npujar" ] || return 1
  help=$("$npujar" pack --help 2>&1) || return 1
  [[ $help == *"npujar pack"* ]]
}

# Returns success when the JNI library the Java runtime bundles is built.
runtime_jni_built() {
  [ -f "$jni_dir/libnpujar_jni.so" ]
}

# Installs dev.npujar:npujar-runtime into the local Maven repository; its own tests run in the
# Java runtime's section of scripts/test.sh.
install_runtime() {
  mvn "${mvn_flags[@]}" -q -f "$root/runtime/java/pom.xml" install -DskipTests -Dnpujar.native.dir="$jni_dir"
}
