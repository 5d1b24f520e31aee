// The CPU backend: links a precompiled object, or compiles portable bitcode
// for the host (through the JIT cache) and links the result. Generated code
// runs on the model's thread pool through npujar_model_args.
#include <chrono>

#include "npujar/format/error.h"
#include "npujar/runtime/backend.h"
#include "npujar/runtime/jit.h"
#include "npujar/runtime/jit_cache.h"
#include "npujar/runtime/log.h"
#include "npujar/runtime/thread_pool.h"

namespace npujar::runtime {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class CpuExecutable : public Executable {
 public:
  CpuExecutable(std::unique_ptr<LinkedCode> code, const void* weights, ThreadPool* pool,
                std::string label)
      : code_(std::move(code)), weights_(weights), pool_(pool), label_(std::move(label)) {}

  Status execute(const ExecutionRequest& request) override {
    npujar_model_args args{};
    args.inputs = request.inputs;
    args.outputs = request.outputs;
    args.weights = weights_;
    args.arena = request.arena;
    args.symbols = request.symbols;
    args.parallel_for = &ThreadPool::parallel_for_entry;
    args.pool = pool_;
    args.num_threads = pool_->num_threads();
    int32_t result = code_->entry()(&args);
    if (result != 0) {
      return Status(NPUJAR_ERROR_EXECUTION,
                    label_ + ": generated code returned error " + std::to_string(result) +
                        "; an input value is out of range for the model (e.g. an index)");
    }
    return Status::ok();
  }

 private:
  std::unique_ptr<LinkedCode> code_;
  const void* weights_;
  ThreadPool* pool_;
  std::string label_;
};

// Finds the variant's section of `kind`; raises FormatError on a corrupt
// section, which the caller converts.
Result<format::ByteView> variant_section(const LoadRequest& request, format::SectionKind kind) {
  for (const std::string& name : request.variant->sections) {
    const format::SectionInfo* info = request.archive->find_section(name);
    if (info != nullptr && info->entry.kind == static_cast<uint32_t>(kind)) {
      return request.archive->section_bytes(name);
    }
  }
  return Status(NPUJAR_ERROR_INVALID_ARCHIVE,
                request.label + ": lists no " + format::section_kind_name(static_cast<uint32_t>(kind)) +
                    " section");
}

Result<std::unique_ptr<LinkedCode>> compile_and_link(const LoadRequest& request,
                                                     format::ByteView bitcode) {
  Result<JitTarget> target = host_jit_target();
  if (!target) {
    return target.status();
  }
  JitCache cache(request.options->use_cache ? request.options->cache_dir : "");
  std::string key = jit_cache_key(bitcode.data, bitcode.size,
                                  request.archive->manifest().model.content_hash, *target);

  if (std::optional<std::vector<uint8_t>> cached = cache.load(key)) {
    auto code = link_object(cached->data(), cached->size(), request.label + " (cached)");
    if (code) {
      request.stats->cache_hit = true;
      log_info(request.label + ": linked JIT cache entry " + cache.entry_path(key));
      return code;
    }
    log_warn(code.status().message() + "; removing the cache entry and compiling again");
    std::remove(cache.entry_path(key).c_str());
  }

  auto start = std::chrono::steady_clock::now();
  Result<std::vector<uint8_t>> object =
      compile_bitcode(bitcode.data, bitcode.size, *target, request.label);
  request.stats->compile_seconds = seconds_since(start);
  if (!object) {
    return object.status();
  }
  log_info(request.label + ": JIT-compiled for cpu " + target->cpu + " in " +
           std::to_string(request.stats->compile_seconds) + " s");

  if (cache.enabled()) {
    Status stored = cache.store(key, *object);
    if (!stored) {
      log_warn(request.label + ": JIT result not cached: " + stored.message());
    }
  }
  return link_object(object->data(), object->size(), request.label);
}

class CpuBackend : public Backend {
 public:
  const char* name() const override { return "cpu"; }

  bool handles(const format::Variant& variant, LoadAction action) const override {
    return variant.kind == "cpu" &&
           (action == LoadAction::kLinkObject || action == LoadAction::kJitBitcode);
  }

  Result<std::unique_ptr<Executable>> load(const LoadRequest& request) override {
    auto start = std::chrono::steady_clock::now();
    Result<std::unique_ptr<LinkedCode>> code = load_code(request);
    request.stats->load_seconds = seconds_since(start);
    if (!code) {
      return code.status();
    }
    return std::unique_ptr<Executable>(new CpuExecutable(std::move(*code), request.weights,
                                                         request.pool, request.label));
  }

 private:
  Result<std::unique_ptr<LinkedCode>> load_code(const LoadRequest& request) {
    bool jit = request.action == LoadAction::kJitBitcode;
    request.stats->jit = jit;
    try {
      Result<format::ByteView> section = variant_section(
          request, jit ? format::SectionKind::kBitcode : format::SectionKind::kObject);
      if (!section) {
        return section.status();
      }
      if (jit) {
        return compile_and_link(request, *section);
      }
      return link_object(section->data, section->size, request.label);
    } catch (const format::FormatError& error) {
      return Status(NPUJAR_ERROR_INVALID_ARCHIVE, request.label + ": " + error.message());
    }
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace npujar::runtime
