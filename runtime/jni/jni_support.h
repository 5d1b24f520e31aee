// Shared helpers of the JNI binding: cached classes, conversion between
// Java strings and UTF-8, and turning C API statuses and C++ exceptions into
// pending Java exceptions.
//
// Every JNI entry point returns to Java with at most one pending exception
// and never lets a C++ exception cross into the JVM; entry points run their
// body through guard(), which catches std::bad_alloc and anything else.
#pragma once

#include <jni.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "npujar_runtime.h"

namespace npujar::jni {

struct StatusDeleter {
  void operator()(npujar_status* status) const { npujar_status_release(status); }
};
using StatusPtr = std::unique_ptr<npujar_status, StatusDeleter>;

struct OptionsDeleter {
  void operator()(npujar_options* options) const { npujar_options_release(options); }
};
using OptionsPtr = std::unique_ptr<npujar_options, OptionsDeleter>;

// Throws the NpujarException subclass for a non-NULL status and releases
// it. Returns true if it threw, so callers can write
// `if (throw_if_error(env, status)) return 0;`.
bool throw_if_error(JNIEnv* env, npujar_status* status);

// Throws java.lang.IllegalArgumentException with `message`.
void throw_illegal_argument(JNIEnv* env, const std::string& message);

// Throws dev.npujar.InternalErrorException with `message`.
void throw_internal_error(JNIEnv* env, const std::string& message);

// Converts a Java string to standard UTF-8 (JNI's own GetStringUTFChars
// yields modified UTF-8, which differs for NUL and non-BMP characters).
// Returns false with an exception pending on failure.
bool to_utf8(JNIEnv* env, jstring text, std::string* out);

// Creates a Java string from standard UTF-8; NULL with an exception pending
// on failure. `text` may be NULL, which yields "".
jstring from_utf8(JNIEnv* env, const char* text);

// Creates an options object from the values Java passes; NULL with an
// exception pending on failure. Null strings keep the runtime's defaults.
OptionsPtr make_options(JNIEnv* env, jint num_threads, jint jit_mode, jint device,
                        jstring variant, jstring cache_dir);

// Handles are C pointers carried in Java longs.
template <typename T>
T* from_handle(jlong handle) {
  return reinterpret_cast<T*>(static_cast<intptr_t>(handle));
}
template <typename T>
jlong to_handle(T* pointer) {
  return static_cast<jlong>(reinterpret_cast<intptr_t>(pointer));
}

// Cached global references, filled by JNI_OnLoad.
struct ClassCache {
  jclass string_class = nullptr;
  jclass object_class = nullptr;
  jclass integer_class = nullptr;
  jmethodID integer_value_of = nullptr;
  jmethodID string_from_bytes = nullptr;  // String(byte[], String charsetName)
  jmethodID string_get_bytes = nullptr;   // byte[] String.getBytes(String charsetName)
  jstring utf8_name = nullptr;            // "UTF-8"
  jclass npujar_exception_class = nullptr;
  jmethodID npujar_exception_from_native = nullptr;
  jclass illegal_argument_class = nullptr;
  jclass internal_error_class = nullptr;
};
const ClassCache& classes();

// Runs `body` and converts a C++ exception that escapes it into a Java
// exception, returning `on_error` in that case.
template <typename Result, typename Body>
Result guard(JNIEnv* env, Result on_error, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    env->ThrowNew(env->FindClass("java/lang/OutOfMemoryError"), "npujar JNI: native allocation failed");
  } catch (const std::exception& error) {
    throw_internal_error(env, std::string("npujar JNI: unexpected C++ exception: ") + error.what());
  } catch (...) {
    throw_internal_error(env, "npujar JNI: unexpected C++ exception of unknown type");
  }
  return on_error;
}

template <typename Body>
void guard_void(JNIEnv* env, Body&& body) noexcept {
  guard(env, 0, [&] {
    body();
    return 0;
  });
}

}  // namespace npujar::jni
