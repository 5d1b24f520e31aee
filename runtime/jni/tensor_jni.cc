// JNI entry points for dev.npujar.NativeApi's tensor methods. Handles are
// npujar_tensor* pointers; data is exposed to Java as direct ByteBuffers
// over the tensor's memory, which Java stops using before it releases the
// handle.
#include <cstring>
#include <string>
#include <vector>

#include "jni_support.h"

using npujar::jni::from_handle;
using npujar::jni::guard;
using npujar::jni::throw_if_error;
using npujar::jni::throw_illegal_argument;
using npujar::jni::to_handle;

namespace {

// Copies a Java long[] of extents; false with an exception pending on failure.
bool read_dims(JNIEnv* env, jlongArray dims, std::vector<int64_t>* out) {
  jsize rank = env->GetArrayLength(dims);
  out->resize(static_cast<size_t>(rank));
  env->GetLongArrayRegion(dims, 0, rank, reinterpret_cast<jlong*>(out->data()));
  return !env->ExceptionCheck();
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_npujar_NativeApi_tensorCreate(JNIEnv* env, jclass, jint dtype,
                                                                jlongArray dims) {
  return guard(env, jlong{0}, [&]() -> jlong {
    std::vector<int64_t> extents;
    if (!read_dims(env, dims, &extents)) {
      return 0;
    }
    npujar_tensor* tensor = nullptr;
    if (throw_if_error(env, npujar_tensor_create(static_cast<npujar_dtype>(dtype), extents.data(),
                                                 extents.size(), &tensor))) {
      return 0;
    }
    return to_handle(tensor);
  });
}

// Creates the tensor and copies the array in one call; the array is pinned
// only for the memcpy.
JNIEXPORT jlong JNICALL Java_dev_npujar_NativeApi_tensorCreateFrom(JNIEnv* env, jclass,
                                                                    jint dtype, jlongArray dims,
                                                                    jarray values,
                                                                    jint element_bytes) {
  return guard(env, jlong{0}, [&]() -> jlong {
    std::vector<int64_t> extents;
    if (!read_dims(env, dims, &extents)) {
      return 0;
    }
    npujar_tensor* tensor = nullptr;
    if (throw_if_error(env, npujar_tensor_create(static_cast<npujar_dtype>(dtype), extents.data(),
                                                 extents.size(), &tensor))) {
      return 0;
    }

    const size_t size = npujar_tensor_byte_size(tensor);
    const size_t array_size =
        static_cast<size_t>(env->GetArrayLength(values)) * static_cast<size_t>(element_bytes);
    if (array_size != size) {
      npujar_tensor_release(tensor);
      throw_illegal_argument(env, "array of " + std::to_string(array_size) +
                                      " bytes does not match the tensor's " +
                                      std::to_string(size) + " bytes");
      return 0;
    }
    if (size > 0) {
      void* source = env->GetPrimitiveArrayCritical(values, nullptr);
      if (source == nullptr) {
        npujar_tensor_release(tensor);
        return 0;  // OutOfMemoryError is pending.
      }
      std::memcpy(npujar_tensor_data(tensor), source, size);
      env->ReleasePrimitiveArrayCritical(values, source, JNI_ABORT);
    }
    return to_handle(tensor);
  });
}

JNIEXPORT jlong JNICALL Java_dev_npujar_NativeApi_tensorWrap(JNIEnv* env, jclass, jint dtype,
                                                              jlongArray dims, jobject buffer,
                                                              jlong offset, jlong size) {
  return guard(env, jlong{0}, [&]() -> jlong {
    std::vector<int64_t> extents;
    if (!read_dims(env, dims, &extents)) {
      return 0;
    }
    auto* base = static_cast<char*>(env->GetDirectBufferAddress(buffer));
    jlong capacity = env->GetDirectBufferCapacity(buffer);
    if (base == nullptr || offset < 0 || size < 0 || offset > capacity - size) {
      throw_illegal_argument(env, "tensor range [" + std::to_string(offset) + ", +" +
                                      std::to_string(size) +
                                      ") is not inside the direct buffer of capacity " +
                                      std::to_string(capacity));
      return 0;
    }
    npujar_tensor* tensor = nullptr;
    if (throw_if_error(env, npujar_tensor_wrap(static_cast<npujar_dtype>(dtype), extents.data(),
                                               extents.size(), base + offset,
                                               static_cast<size_t>(size), &tensor))) {
      return 0;
    }
    return to_handle(tensor);
  });
}

JNIEXPORT void JNICALL Java_dev_npujar_NativeApi_tensorRelease(JNIEnv*, jclass, jlong tensor) {
  npujar_tensor_release(from_handle<npujar_tensor>(tensor));
}

JNIEXPORT jlongArray JNICALL Java_dev_npujar_NativeApi_tensorDescribe(JNIEnv* env, jclass,
                                                                      jlong tensor) {
  return guard(env, static_cast<jlongArray>(nullptr), [&]() -> jlongArray {
    const auto* handle = from_handle<const npujar_tensor>(tensor);
    const size_t rank = npujar_tensor_rank(handle);
    const int64_t* dims = npujar_tensor_dims(handle);

    jlongArray result = env->NewLongArray(static_cast<jsize>(rank + 2));
    if (result == nullptr) {
      return nullptr;
    }
    const jlong header[2] = {static_cast<jlong>(npujar_tensor_dtype(handle)),
                             static_cast<jlong>(rank)};
    env->SetLongArrayRegion(result, 0, 2, header);
    if (rank > 0) {
      env->SetLongArrayRegion(result, 2, static_cast<jsize>(rank),
                              reinterpret_cast<const jlong*>(dims));
    }
    return result;
  });
}

JNIEXPORT jobject JNICALL Java_dev_npujar_NativeApi_tensorData(JNIEnv* env, jclass, jlong tensor) {
  return guard(env, static_cast<jobject>(nullptr), [&]() -> jobject {
    auto* handle = from_handle<npujar_tensor>(tensor);
    const size_t size = npujar_tensor_byte_size(handle);
    void* data = npujar_tensor_data(handle);
    if (size == 0 || data == nullptr) {
      return nullptr;
    }
    return env->NewDirectByteBuffer(data, static_cast<jlong>(size));
  });
}

}  // extern "C"
