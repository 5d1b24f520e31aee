// JNI entry points for dev.npujar.NativeApi's model methods: loading,
// descriptors, the chosen variant and run. Handles are npujar_model*
// pointers; the Java side keeps each alive across the calls that use it.
#include <array>
#include <string>
#include <vector>

#include "jni_support.h"

using npujar::jni::classes;
using npujar::jni::from_handle;
using npujar::jni::from_utf8;
using npujar::jni::guard;
using npujar::jni::guard_void;
using npujar::jni::make_options;
using npujar::jni::throw_if_error;
using npujar::jni::throw_illegal_argument;
using npujar::jni::to_handle;

namespace {

jlongArray new_long_array(JNIEnv* env, const int64_t* values, size_t count) {
  jlongArray array = env->NewLongArray(static_cast<jsize>(count));
  if (array != nullptr && count > 0) {
    env->SetLongArrayRegion(array, 0, static_cast<jsize>(count),
                            reinterpret_cast<const jlong*>(values));
  }
  return array;
}

jobjectArray describe_tensor(JNIEnv* env, const npujar_tensor_info& info) {
  const auto& cache = classes();
  jobjectArray fields = env->NewObjectArray(4, cache.object_class, nullptr);
  if (fields == nullptr) {
    return nullptr;
  }

  jstring name = from_utf8(env, info.name);
  if (name == nullptr) {
    return nullptr;
  }
  env->SetObjectArrayElement(fields, 0, name);

  jobject dtype = env->CallStaticObjectMethod(cache.integer_class, cache.integer_value_of,
                                              static_cast<jint>(info.dtype));
  if (dtype == nullptr) {
    return nullptr;
  }
  env->SetObjectArrayElement(fields, 1, dtype);

  jlongArray dims = new_long_array(env, info.dims, info.rank);
  if (dims == nullptr) {
    return nullptr;
  }
  env->SetObjectArrayElement(fields, 2, dims);

  jobjectArray symbols =
      env->NewObjectArray(static_cast<jsize>(info.rank), cache.string_class, nullptr);
  if (symbols == nullptr) {
    return nullptr;
  }
  for (size_t i = 0; i < info.rank; ++i) {
    jstring symbol = from_utf8(env, info.symbols != nullptr ? info.symbols[i] : "");
    if (symbol == nullptr) {
      return nullptr;
    }
    env->SetObjectArrayElement(symbols, static_cast<jsize>(i), symbol);
    env->DeleteLocalRef(symbol);
  }
  env->SetObjectArrayElement(fields, 3, symbols);
  return fields;
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_npujar_NativeApi_modelLoadFile(JNIEnv* env, jclass,
                                                                  jstring path, jint num_threads,
                                                                  jint jit_mode, jint device,
                                                                  jstring variant,
                                                                  jstring cache_dir) {
  return guard(env, jlong{0}, [&]() -> jlong {
    auto options = make_options(env, num_threads, jit_mode, device, variant, cache_dir);
    std::string path_text;
    if (options == nullptr || !npujar::jni::to_utf8(env, path, &path_text)) {
      return 0;
    }
    npujar_model* model = nullptr;
    if (throw_if_error(env, npujar_model_load_file(path_text.c_str(), options.get(), &model))) {
      return 0;
    }
    return to_handle(model);
  });
}

JNIEXPORT jlong JNICALL Java_dev_npujar_NativeApi_modelLoadArray(
    JNIEnv* env, jclass, jbyteArray data, jint offset, jint length, jint num_threads,
    jint jit_mode, jint device, jstring variant, jstring cache_dir) {
  return guard(env, jlong{0}, [&]() -> jlong {
    auto options = make_options(env, num_threads, jit_mode, device, variant, cache_dir);
    if (options == nullptr) {
      return 0;
    }
    if (offset < 0 || length < 0 || offset > env->GetArrayLength(data) - length) {
      throw_illegal_argument(env, "archive range [" + std::to_string(offset) + ", +" +
                                      std::to_string(length) + ") exceeds the byte[] of length " +
                                      std::to_string(env->GetArrayLength(data)));
      return 0;
    }
    // Copied out rather than pinned: loading may JIT-compile for seconds,
    // and a pinned array would stall the garbage collector that long.
    std::vector<jbyte> bytes(static_cast<size_t>(length));
    env->GetByteArrayRegion(data, offset, length, bytes.data());
    npujar_model* model = nullptr;
    if (throw_if_error(env, npujar_model_load_buffer(bytes.data(), bytes.size(), options.get(),
                                                     &model))) {
      return 0;
    }
    return to_handle(model);
  });
}

JNIEXPORT jlong JNICALL Java_dev_npujar_NativeApi_modelLoadDirect(
    JNIEnv* env, jclass, jobject buffer, jlong offset, jlong length, jint num_threads,
    jint jit_mode, jint device, jstring variant, jstring cache_dir) {
  return guard(env, jlong{0}, [&]() -> jlong {
    auto options = make_options(env, num_threads, jit_mode, device, variant, cache_dir);
    if (options == nullptr) {
      return 0;
    }
    auto* base = static_cast<const char*>(env->GetDirectBufferAddress(buffer));
    jlong capacity = env->GetDirectBufferCapacity(buffer);
    if (base == nullptr || offset < 0 || length < 0 || offset > capacity - length) {
      throw_illegal_argument(env, "archive range [" + std::to_string(offset) + ", +" +
                                      std::to_string(length) +
                                      ") is not inside the direct buffer of capacity " +
                                      std::to_string(capacity));
      return 0;
    }
    npujar_model* model = nullptr;
    if (throw_if_error(env, npujar_model_load_buffer(base + offset, static_cast<size_t>(length),
                                                     options.get(), &model))) {
      return 0;
    }
    return to_handle(model);
  });
}

JNIEXPORT void JNICALL Java_dev_npujar_NativeApi_modelRelease(JNIEnv*, jclass, jlong model) {
  npujar_model_release(from_handle<npujar_model>(model));
}

JNIEXPORT jint JNICALL Java_dev_npujar_NativeApi_modelInputCount(JNIEnv*, jclass, jlong model) {
  return static_cast<jint>(npujar_model_input_count(from_handle<npujar_model>(model)));
}

JNIEXPORT jint JNICALL Java_dev_npujar_NativeApi_modelOutputCount(JNIEnv*, jclass, jlong model) {
  return static_cast<jint>(npujar_model_output_count(from_handle<npujar_model>(model)));
}

JNIEXPORT jobjectArray JNICALL Java_dev_npujar_NativeApi_modelTensorInfo(JNIEnv* env, jclass,
                                                                         jlong model,
                                                                         jboolean output,
                                                                         jint index) {
  return guard(env, static_cast<jobjectArray>(nullptr), [&]() -> jobjectArray {
    const auto* handle = from_handle<const npujar_model>(model);
    npujar_tensor_info info{};
    npujar_status* status = output ? npujar_model_output_info(handle, static_cast<size_t>(index), &info)
                                   : npujar_model_input_info(handle, static_cast<size_t>(index), &info);
    if (throw_if_error(env, status)) {
      return nullptr;
    }
    return describe_tensor(env, info);
  });
}

JNIEXPORT jobjectArray JNICALL Java_dev_npujar_NativeApi_modelVariant(JNIEnv* env, jclass,
                                                                      jlong model) {
  return guard(env, static_cast<jobjectArray>(nullptr), [&]() -> jobjectArray {
    const auto* handle = from_handle<const npujar_model>(model);
    jobjectArray result = env->NewObjectArray(2, classes().string_class, nullptr);
    if (result == nullptr) {
      return nullptr;
    }
    jstring name = from_utf8(env, npujar_model_variant(handle));
    if (name == nullptr) {
      return nullptr;
    }
    env->SetObjectArrayElement(result, 0, name);
    jstring reason = from_utf8(env, npujar_model_variant_reason(handle));
    if (reason == nullptr) {
      return nullptr;
    }
    env->SetObjectArrayElement(result, 1, reason);
    return result;
  });
}

// The hot path: no allocation for models with up to kInlineTensors inputs
// and outputs beyond the result array itself.
JNIEXPORT jlongArray JNICALL Java_dev_npujar_NativeApi_modelRun(JNIEnv* env, jclass, jlong model,
                                                                jlongArray inputs) {
  return guard(env, static_cast<jlongArray>(nullptr), [&]() -> jlongArray {
    constexpr size_t kInlineTensors = 16;
    auto* handle = from_handle<npujar_model>(model);

    const size_t input_count = static_cast<size_t>(env->GetArrayLength(inputs));
    std::array<jlong, kInlineTensors> input_inline{};
    std::vector<jlong> input_heap;
    jlong* input_handles = input_inline.data();
    if (input_count > kInlineTensors) {
      input_heap.resize(input_count);
      input_handles = input_heap.data();
    }
    env->GetLongArrayRegion(inputs, 0, static_cast<jsize>(input_count), input_handles);

    // npujar_tensor* and jlong have the same size on every platform npujar
    // supports, so the handles are converted in place.
    static_assert(sizeof(jlong) >= sizeof(npujar_tensor*));
    std::array<const npujar_tensor*, kInlineTensors> input_pointers_inline{};
    std::vector<const npujar_tensor*> input_pointers_heap;
    const npujar_tensor** input_pointers = input_pointers_inline.data();
    if (input_count > kInlineTensors) {
      input_pointers_heap.resize(input_count);
      input_pointers = input_pointers_heap.data();
    }
    for (size_t i = 0; i < input_count; ++i) {
      input_pointers[i] = from_handle<const npujar_tensor>(input_handles[i]);
    }

    const size_t output_count = npujar_model_output_count(handle);
    std::array<npujar_tensor*, kInlineTensors> output_inline{};
    std::vector<npujar_tensor*> output_heap;
    npujar_tensor** outputs = output_inline.data();
    if (output_count > kInlineTensors) {
      output_heap.assign(output_count, nullptr);
      outputs = output_heap.data();
    }

    // On failure the runtime leaves every output slot NULL.
    if (throw_if_error(env, npujar_model_run(handle, input_pointers, input_count, outputs,
                                             output_count))) {
      return nullptr;
    }

    jlongArray result = env->NewLongArray(static_cast<jsize>(output_count));
    if (result == nullptr) {
      for (size_t i = 0; i < output_count; ++i) {
        npujar_tensor_release(outputs[i]);
      }
      return nullptr;
    }
    std::array<jlong, kInlineTensors> result_inline{};
    std::vector<jlong> result_heap;
    jlong* result_handles = result_inline.data();
    if (output_count > kInlineTensors) {
      result_heap.resize(output_count);
      result_handles = result_heap.data();
    }
    for (size_t i = 0; i < output_count; ++i) {
      result_handles[i] = to_handle(outputs[i]);
    }
    env->SetLongArrayRegion(result, 0, static_cast<jsize>(output_count), result_handles);
    return result;
  });
}

}  // extern "C"
