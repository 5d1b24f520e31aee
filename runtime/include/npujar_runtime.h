/* npujar runtime C API.
 *
 * Conventions:
 * - Objects are opaque handles created by npujar_*_create / npujar_model_load*
 *   and released by the matching *_release function, which accepts NULL.
 * - Functions return npujar_status*: NULL means success. A non-NULL status
 *   is owned by the caller and released with npujar_status_release.
 * - Out-parameters are set to NULL/0 on entry, so they hold no stale value
 *   when a call fails.
 * - Threads: an npujar_model may be used by any number of threads at once
 *   (npujar_model_run is thread-safe). Options and tensors are not
 *   synchronized: one thread at a time per handle.
 */
#ifndef NPUJAR_RUNTIME_H_
#define NPUJAR_RUNTIME_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define NPUJAR_API __declspec(dllexport)
#else
#define NPUJAR_API __attribute__((visibility("default")))
#endif

/* Error codes. The numbers are stable: new codes are appended, none is
 * renumbered. The Java API maps each to one exception type. */
typedef enum npujar_error_code {
  NPUJAR_OK = 0,
  NPUJAR_ERROR_INVALID_ARGUMENT = 1,   /* a NULL handle, bad option value */
  NPUJAR_ERROR_INVALID_ARCHIVE = 2,    /* structure, checksum or manifest */
  NPUJAR_ERROR_NO_USABLE_VARIANT = 3,  /* nothing in the archive runs here */
  NPUJAR_ERROR_SHAPE_MISMATCH = 4,     /* an input's shape differs from the model's */
  NPUJAR_ERROR_DTYPE_MISMATCH = 5,     /* an input's dtype differs from the model's */
  NPUJAR_ERROR_IO = 6,                 /* file not found, unreadable, cache write */
  NPUJAR_ERROR_COMPILE = 7,            /* JIT or object linking failed */
  NPUJAR_ERROR_EXECUTION = 8,          /* run failed, e.g. index out of range */
  NPUJAR_ERROR_OUT_OF_MEMORY = 9,
  NPUJAR_ERROR_INTERNAL = 10,
} npujar_error_code;

typedef enum npujar_dtype {
  NPUJAR_DTYPE_F32 = 1,
  NPUJAR_DTYPE_F16 = 2,
  NPUJAR_DTYPE_BF16 = 3,
  NPUJAR_DTYPE_I64 = 4,
  NPUJAR_DTYPE_I32 = 5,
  NPUJAR_DTYPE_I8 = 6,
  NPUJAR_DTYPE_U8 = 7,
  NPUJAR_DTYPE_BOOL = 8,
} npujar_dtype;

typedef struct npujar_status npujar_status;
typedef struct npujar_options npujar_options;
typedef struct npujar_model npujar_model;
typedef struct npujar_tensor npujar_tensor;

/* ---- Status ---------------------------------------------------------- */

NPUJAR_API npujar_error_code npujar_status_code(const npujar_status* status);
/* Valid until the status is released. Never NULL for a non-NULL status. */
NPUJAR_API const char* npujar_status_message(const npujar_status* status);
NPUJAR_API void npujar_status_release(npujar_status* status);

/* Runtime version, "MAJOR.MINOR.PATCH". Static storage. */
NPUJAR_API const char* npujar_version(void);

/* ---- Options --------------------------------------------------------- */

typedef enum npujar_jit_mode {
  NPUJAR_JIT_AUTO = 0,    /* precompiled variant if one fits, else JIT */
  NPUJAR_JIT_FORBID = 1,  /* fail with NO_USABLE_VARIANT rather than JIT */
  NPUJAR_JIT_FORCE = 2,   /* always JIT-compile the portable bitcode */
} npujar_jit_mode;

typedef enum npujar_device_preference {
  NPUJAR_DEVICE_AUTO = 0,  /* NPU, then GPU, then CPU */
  NPUJAR_DEVICE_CPU = 1,
  NPUJAR_DEVICE_NPU = 2,
  NPUJAR_DEVICE_GPU = 3,
} npujar_device_preference;

NPUJAR_API npujar_status* npujar_options_create(npujar_options** out_options);
NPUJAR_API void npujar_options_release(npujar_options* options);
/* 0 selects the number of physical cores. */
NPUJAR_API npujar_status* npujar_options_set_num_threads(npujar_options* options,
                                                         int32_t num_threads);
NPUJAR_API npujar_status* npujar_options_set_jit_mode(npujar_options* options,
                                                      npujar_jit_mode mode);
NPUJAR_API npujar_status* npujar_options_set_device(npujar_options* options,
                                                    npujar_device_preference device);
/* Forces the variant with this name; NULL clears it. The string is copied. */
NPUJAR_API npujar_status* npujar_options_set_variant(npujar_options* options,
                                                     const char* variant_name);
/* Directory for JIT results; NULL restores the default
 * ($NPUJAR_CACHE_DIR, else $XDG_CACHE_HOME/npujar, else ~/.cache/npujar). */
NPUJAR_API npujar_status* npujar_options_set_cache_dir(npujar_options* options,
                                                       const char* path);

/* ---- Model ----------------------------------------------------------- */

/* Loads an archive from a file, memory-mapped. `options` may be NULL. */
NPUJAR_API npujar_status* npujar_model_load_file(const char* path,
                                                 const npujar_options* options,
                                                 npujar_model** out_model);
/* Loads an archive from memory. The bytes are copied; the caller may free
 * them when the call returns. */
NPUJAR_API npujar_status* npujar_model_load_buffer(const void* data, size_t size,
                                                   const npujar_options* options,
                                                   npujar_model** out_model);
NPUJAR_API void npujar_model_release(npujar_model* model);

NPUJAR_API size_t npujar_model_input_count(const npujar_model* model);
NPUJAR_API size_t npujar_model_output_count(const npujar_model* model);

/* Describes input or output `index`. Strings stay valid while the model
 * lives. `dims` receives up to `max_rank` extents, -1 for a symbolic one;
 * `symbols[i]` names dimension i's symbol ("" for a static one) and may be
 * NULL if unwanted. */
typedef struct npujar_tensor_info {
  const char* name;
  npujar_dtype dtype;
  size_t rank;
  const int64_t* dims;
  const char* const* symbols;
} npujar_tensor_info;

NPUJAR_API npujar_status* npujar_model_input_info(const npujar_model* model, size_t index,
                                                  npujar_tensor_info* out_info);
NPUJAR_API npujar_status* npujar_model_output_info(const npujar_model* model, size_t index,
                                                   npujar_tensor_info* out_info);

/* Name of the chosen variant and the reason it was chosen, valid while the
 * model lives, e.g. "cpu-x86-64-v3" and "host has avx2 fma bmi2 ...". */
NPUJAR_API const char* npujar_model_variant(const npujar_model* model);
NPUJAR_API const char* npujar_model_variant_reason(const npujar_model* model);

/* Runs the model. `inputs` holds npujar_model_input_count tensors in model
 * order. `outputs` receives npujar_model_output_count tensors: each slot that
 * is NULL on entry gets a new tensor the caller must release; a non-NULL
 * slot is a caller-provided tensor of the right dtype and shape that the
 * results are written into. Safe to call from many threads at once. */
NPUJAR_API npujar_status* npujar_model_run(npujar_model* model,
                                           const npujar_tensor* const* inputs,
                                           size_t input_count, npujar_tensor** outputs,
                                           size_t output_count);

/* ---- Tensor ---------------------------------------------------------- */

/* Creates a tensor owning a zero-filled buffer. */
NPUJAR_API npujar_status* npujar_tensor_create(npujar_dtype dtype, const int64_t* dims,
                                               size_t rank, npujar_tensor** out_tensor);
/* Wraps caller memory without copying. `data` must stay valid and
 * unchanged by others until the tensor is released, and hold at least
 * numel * dtype size bytes (`size` is checked against that). */
NPUJAR_API npujar_status* npujar_tensor_wrap(npujar_dtype dtype, const int64_t* dims,
                                             size_t rank, void* data, size_t size,
                                             npujar_tensor** out_tensor);
NPUJAR_API void npujar_tensor_release(npujar_tensor* tensor);
NPUJAR_API npujar_dtype npujar_tensor_dtype(const npujar_tensor* tensor);
NPUJAR_API size_t npujar_tensor_rank(const npujar_tensor* tensor);
/* Extents, valid while the tensor lives. */
NPUJAR_API const int64_t* npujar_tensor_dims(const npujar_tensor* tensor);
NPUJAR_API void* npujar_tensor_data(npujar_tensor* tensor);
NPUJAR_API size_t npujar_tensor_byte_size(const npujar_tensor* tensor);

#ifdef __cplusplus
}
#endif

#endif /* NPUJAR_RUNTIME_H_ */
