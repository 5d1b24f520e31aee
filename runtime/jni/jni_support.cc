#include "jni_support.h"

#include <new>
#include <string_view>

namespace npujar::jni {
namespace {

// Version of the contract with dev.npujar.NativeApi; must equal
// NativeApi.BINDING_VERSION, which the Java loader checks after loading.
constexpr jint kBindingVersion = 2;

ClassCache g_classes;

jclass global_class(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) {
    return nullptr;
  }
  auto global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

bool fill_cache(JNIEnv* env) {
  ClassCache& cache = g_classes;
  cache.string_class = global_class(env, "java/lang/String");
  cache.object_class = global_class(env, "java/lang/Object");
  cache.integer_class = global_class(env, "java/lang/Integer");
  cache.illegal_argument_class = global_class(env, "java/lang/IllegalArgumentException");
  // FindClass in JNI_OnLoad searches the class loader that called
  // System.load, which is npujar's own.
  cache.npujar_exception_class = global_class(env, "dev/npujar/NpujarException");
  cache.internal_error_class = global_class(env, "dev/npujar/InternalErrorException");
  if (cache.string_class == nullptr || cache.object_class == nullptr ||
      cache.integer_class == nullptr || cache.illegal_argument_class == nullptr ||
      cache.npujar_exception_class == nullptr || cache.internal_error_class == nullptr) {
    return false;
  }

  cache.integer_value_of =
      env->GetStaticMethodID(cache.integer_class, "valueOf", "(I)Ljava/lang/Integer;");
  cache.string_from_bytes = env->GetMethodID(cache.string_class, "<init>", "([BLjava/lang/String;)V");
  cache.string_get_bytes = env->GetMethodID(cache.string_class, "getBytes", "(Ljava/lang/String;)[B");
  cache.npujar_exception_from_native =
      env->GetStaticMethodID(cache.npujar_exception_class, "fromNative",
                             "(ILjava/lang/String;)Ldev/npujar/NpujarException;");
  if (cache.integer_value_of == nullptr || cache.string_from_bytes == nullptr ||
      cache.string_get_bytes == nullptr || cache.npujar_exception_from_native == nullptr) {
    return false;
  }

  jstring utf8 = env->NewStringUTF("UTF-8");
  if (utf8 == nullptr) {
    return false;
  }
  cache.utf8_name = static_cast<jstring>(env->NewGlobalRef(utf8));
  env->DeleteLocalRef(utf8);
  return cache.utf8_name != nullptr;
}

void release_cache(JNIEnv* env) {
  ClassCache& cache = g_classes;
  for (jobject reference : {static_cast<jobject>(cache.string_class),
                            static_cast<jobject>(cache.object_class),
                            static_cast<jobject>(cache.integer_class),
                            static_cast<jobject>(cache.illegal_argument_class),
                            static_cast<jobject>(cache.npujar_exception_class),
                            static_cast<jobject>(cache.internal_error_class),
                            static_cast<jobject>(cache.utf8_name)}) {
    if (reference != nullptr) {
      env->DeleteGlobalRef(reference);
    }
  }
  cache = ClassCache{};
}

}  // namespace

const ClassCache& classes() { return g_classes; }

bool throw_if_error(JNIEnv* env, npujar_status* raw_status) {
  if (raw_status == nullptr) {
    return false;
  }
  StatusPtr status(raw_status);
  const ClassCache& cache = classes();

  jstring message = from_utf8(env, npujar_status_message(status.get()));
  if (message == nullptr) {
    return true;  // OutOfMemoryError is pending.
  }
  auto exception = static_cast<jthrowable>(env->CallStaticObjectMethod(
      cache.npujar_exception_class, cache.npujar_exception_from_native,
      static_cast<jint>(npujar_status_code(status.get())), message));
  env->DeleteLocalRef(message);
  if (exception != nullptr && !env->ExceptionCheck()) {
    env->Throw(exception);
    env->DeleteLocalRef(exception);
  }
  return true;
}

void throw_illegal_argument(JNIEnv* env, const std::string& message) {
  env->ThrowNew(classes().illegal_argument_class, message.c_str());
}

void throw_internal_error(JNIEnv* env, const std::string& message) {
  env->ThrowNew(classes().internal_error_class, message.c_str());
}

bool to_utf8(JNIEnv* env, jstring text, std::string* out) {
  auto bytes = static_cast<jbyteArray>(
      env->CallObjectMethod(text, classes().string_get_bytes, classes().utf8_name));
  if (bytes == nullptr) {
    return false;
  }
  jsize length = env->GetArrayLength(bytes);
  out->resize(static_cast<size_t>(length));
  env->GetByteArrayRegion(bytes, 0, length, reinterpret_cast<jbyte*>(out->data()));
  env->DeleteLocalRef(bytes);
  if (out->find('\0') != std::string::npos) {
    throw_illegal_argument(env, "string \"" + *out + "\" contains a NUL character");
    return false;
  }
  return true;
}

jstring from_utf8(JNIEnv* env, const char* text) {
  std::string_view view = text != nullptr ? text : "";
  jbyteArray bytes = env->NewByteArray(static_cast<jsize>(view.size()));
  if (bytes == nullptr) {
    return nullptr;
  }
  env->SetByteArrayRegion(bytes, 0, static_cast<jsize>(view.size()),
                          reinterpret_cast<const jbyte*>(view.data()));
  auto result = static_cast<jstring>(env->NewObject(classes().string_class,
                                                    classes().string_from_bytes, bytes,
                                                    classes().utf8_name));
  env->DeleteLocalRef(bytes);
  return result;
}

OptionsPtr make_options(JNIEnv* env, jint num_threads, jint jit_mode, jint device,
                        jstring variant, jstring cache_dir) {
  npujar_options* raw = nullptr;
  if (throw_if_error(env, npujar_options_create(&raw))) {
    return nullptr;
  }
  OptionsPtr options(raw);

  if (throw_if_error(env, npujar_options_set_num_threads(options.get(), num_threads)) ||
      throw_if_error(env, npujar_options_set_jit_mode(options.get(),
                                                      static_cast<npujar_jit_mode>(jit_mode))) ||
      throw_if_error(env, npujar_options_set_device(
                              options.get(), static_cast<npujar_device_preference>(device)))) {
    return nullptr;
  }

  std::string text;
  if (variant != nullptr) {
    if (!to_utf8(env, variant, &text) ||
        throw_if_error(env, npujar_options_set_variant(options.get(), text.c_str()))) {
      return nullptr;
    }
  }
  if (cache_dir != nullptr) {
    if (!to_utf8(env, cache_dir, &text) ||
        throw_if_error(env, npujar_options_set_cache_dir(options.get(), text.c_str()))) {
      return nullptr;
    }
  }
  return options;
}

}  // namespace npujar::jni

using npujar::jni::guard;

extern "C" {

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void* /*reserved*/) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) {
    return JNI_ERR;
  }
  // A failure leaves a pending exception (NoClassDefFoundError and the
  // like), which System.load reports.
  if (!npujar::jni::fill_cache(env)) {
    return JNI_ERR;
  }
  return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM* vm, void* /*reserved*/) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) == JNI_OK) {
    npujar::jni::release_cache(env);
  }
}

JNIEXPORT jint JNICALL Java_dev_npujar_NativeApi_bindingVersion(JNIEnv*, jclass) {
  return npujar::jni::kBindingVersion;
}

JNIEXPORT jstring JNICALL Java_dev_npujar_NativeApi_runtimeVersion(JNIEnv* env, jclass) {
  return guard(env, static_cast<jstring>(nullptr),
               [&] { return npujar::jni::from_utf8(env, npujar_version()); });
}

}  // extern "C"
