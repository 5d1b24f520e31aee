#!/usr/bin/env bash
# Sets up the machine, builds npujar and runs every test: C++ unit and
# integration tests (CTest), the archive reader's fuzz target for a bounded
# time, the sanitizer build, and the Java, plugin and sample tests.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh

echo "== build"
bash scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo

echo "== C++ tests"
ctest --test-dir build --output-on-failure -j "$(nproc)"

# ---- Archive format: sanitizer build and fuzzing ------------------------
# Both use their own build directories with LibTorch and LLVM switched off.
# They build only the format library and its test or fuzz target, so each
# takes a minute or two rather than a full rebuild.
format_jobs=${NPUJAR_JOBS:-$(nproc)}

echo "== archive format tests under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S "$root" -B "$root/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DNPUJAR_SANITIZE=ON -DNPUJAR_WITH_TORCH=OFF -DNPUJAR_WITH_LLVM=OFF >/dev/null
cmake --build "$root/build-asan" --target npujar_format_tests -j "$format_jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$root/build-asan/tests/format/npujar_format_tests" --gtest_brief=1

echo "== archive reader fuzzing (${NPUJAR_FUZZ_SECONDS:-60} s)"
cmake -S "$root" -B "$root/build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-15 -DCMAKE_CXX_COMPILER=clang++-15 \
  -DNPUJAR_FUZZ=ON -DNPUJAR_BUILD_TESTS=OFF -DNPUJAR_WITH_TORCH=OFF -DNPUJAR_WITH_LLVM=OFF >/dev/null
cmake --build "$root/build-fuzz" --target npujar_reader_fuzzer -j "$format_jobs"
# New inputs go to the scratch directory (libFuzzer writes to the first
# corpus directory), so the committed seeds stay unchanged. A crash, leak,
# sanitizer report or timeout makes the fuzzer exit non-zero; the input that
# caused it is left in build-fuzz/artifacts/ for `npujar_reader_fuzzer FILE`.
fuzz_scratch="$root/build-fuzz/corpus"
fuzz_log="$root/build-fuzz/fuzz.log"
mkdir -p "$fuzz_scratch" "$root/build-fuzz/artifacts"
if ! "$root/build-fuzz/format/fuzz/npujar_reader_fuzzer" \
  -max_total_time="${NPUJAR_FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$root/build-fuzz/artifacts/" -print_final_stats=1 \
  "$fuzz_scratch" "$root/tests/format/corpus" >"$fuzz_log" 2>&1; then
  cat "$fuzz_log"
  echo "test: the archive reader fuzzer failed; the failing input is in $root/build-fuzz/artifacts/" >&2
  exit 1
fi
tail -n 6 "$fuzz_log"
