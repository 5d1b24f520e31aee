"""Writes the benchmark models as TorchScript (.pt) and ONNX (.onnx) files.

Models: torchvision resnet18 and mobilenet_v2 (random weights, fixed seed)
and a BERT-base-sized encoder (12 layers, d_model 768, 12 heads, FFN 3072,
GELU, sequence 128), all at batch 1 in fp32.

Usage: make_bench_models.py OUTPUT_DIR
"""
import json
import os
import sys

import torch
import torchvision


def bert_base_encoder():
    layer = torch.nn.TransformerEncoderLayer(
        d_model=768, nhead=12, dim_feedforward=3072, activation="gelu", batch_first=True
    )
    encoder = torch.nn.TransformerEncoder(layer, num_layers=12, enable_nested_tensor=False)
    # TransformerEncoder deep-copies one layer, so all 12 start with equal
    # weights. The ONNX exporter then stores them once (28 MB instead of
    # 340 MB), which lets ONNX Runtime keep every weight in cache. Give each
    # layer its own weights so that every engine streams the full model.
    for module in encoder.modules():
        if isinstance(module, torch.nn.MultiheadAttention):
            module._reset_parameters()
        elif isinstance(module, torch.nn.Linear):
            module.reset_parameters()
    return encoder


MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224), "x:f32[1,3,224,224]"),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224), "x:f32[1,3,224,224]"),
    "bert_base_encoder": (bert_base_encoder, (1, 128, 768), "x:f32[1,128,768]"),
}


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    specs = {}
    for name, (build, shape, input_spec) in MODELS.items():
        pt_path = os.path.join(out_dir, name + ".pt")
        onnx_path = os.path.join(out_dir, name + ".onnx")
        specs[name] = {"pt": pt_path, "onnx": onnx_path, "shape": list(shape), "input": input_spec}
        if os.path.exists(pt_path) and os.path.exists(onnx_path):
            continue
        torch.manual_seed(0)
        model = build().eval()
        example = torch.randn(*shape)
        # Tracing with autograd enabled keeps the transformer decomposed into
        # the operators every engine supports.
        traced = torch.jit.trace(model, example, check_trace=False)
        traced.save(pt_path)
        # Export the traced module, not the eager one: in eval mode under
        # no_grad the eager transformer takes its fused fast path
        # (aten::_transformer_encoder_layer_fwd), which has no ONNX export.
        with torch.no_grad():
            torch.onnx.export(traced, example, onnx_path, input_names=["x"], output_names=["y"],
                              opset_version=14)
        print(f"wrote {pt_path} and {onnx_path}", flush=True)
    with open(os.path.join(out_dir, "models.json"), "w") as handle:
        json.dump(specs, handle, indent=2)


if __name__ == "__main__":
    main()
