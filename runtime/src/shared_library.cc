// libnpujar_runtime.so consists of npujar_runtime_core linked whole. This
// file gives the shared library target a source of its own, plus the
// definitions that linking Debian's static archives into it needs.
#include "npujar_runtime.h"

// Debian's libyaml-cpp.a is compiled as position-independent executable
// code, which refers to glibc's __libc_single_threaded PC-relatively; that
// reference cannot bind to glibc from a shared object. This hidden
// definition satisfies it inside the library. Its value 0 ("maybe several
// threads") makes the libstdc++ code in those objects always use atomic
// reference counts, which is correct in every process.
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}

// LLVM's Support library queries terminfo whether a stream supports colors
// (sys::Process::FileDescriptorHasColors). Debian's libtinfo.a is not
// position-independent, and the runtime never colors its output, so these
// hidden definitions answer "no terminal" in its place: setupterm fails,
// which LLVM reads as "no colors".
extern "C" {
struct term;
__attribute__((visibility("hidden"))) int setupterm(const char*, int, int* error) {
  if (error != nullptr) {
    *error = 0;
  }
  return -1;
}
__attribute__((visibility("hidden"))) struct term* set_curterm(struct term*) { return nullptr; }
__attribute__((visibility("hidden"))) int del_curterm(struct term*) { return 0; }
__attribute__((visibility("hidden"))) int tigetnum(const char*) { return -2; }
}
