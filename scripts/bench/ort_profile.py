"""Prints ONNX Runtime's own time per node for one ONNX model, from its
profiler, so that a model's layers can be compared with npujar's.

Runs the model with a seeded standard-normal float input (every symbolic
dimension at 1) on the given number of intra-op threads. Node times are
medians over the runs after the warm-up, in microseconds, in graph order;
the last line is their sum.

Usage: ort_profile.py MODEL.onnx [--threads 1] [--runs 300] [--warmup 50]
"""
import argparse
import collections
import json
import os
import statistics
import tempfile

import numpy as np
import onnxruntime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.enable_profiling = True
        options.profile_file_prefix = os.path.join(directory, "profile")
        session = onnxruntime.InferenceSession(args.model, options,
                                               providers=["CPUExecutionProvider"])

        rng = np.random.default_rng(0)
        feeds = {}
        for model_input in session.get_inputs():
            shape = [dim if isinstance(dim, int) else 1 for dim in model_input.shape]
            feeds[model_input.name] = rng.standard_normal(shape).astype(np.float32)
        for _ in range(args.warmup + args.runs):
            session.run(None, feeds)

        with open(session.end_profiling()) as profile:
            events = json.load(profile)

    # One "<node>_kernel_time" event per node and run, in execution order.
    times = collections.defaultdict(list)
    nodes = []
    for event in events:
        if event.get("cat") != "Node" or not event["name"].endswith("_kernel_time"):
            continue
        name = event["name"][:-len("_kernel_time")]
        if name not in times:
            nodes.append((name, event["args"].get("op_name", "?"),
                          event["args"].get("output_type_shape", "")))
        times[name].append(event["dur"])

    total = 0.0
    for name, op, shape in nodes:
        median = statistics.median(times[name][args.warmup:] or times[name])
        total += median
        print(f"{median:9.1f}  {op:<18} {name}  {shape}")
    print(f"{total:9.1f}  sum of node medians (us)")


if __name__ == "__main__":
    main()
