#!/usr/bin/python3
"""Make the TorchScript models, inputs and expected outputs of the importer tests.

Usage: /usr/bin/python3 make_models.py OUTPUT_DIR [--only NAME ...] [--list]

Writes into OUTPUT_DIR, for every model, `<name>.pt` (TorchScript, saved in
eval mode), seeded inputs `<name>.case<k>.in<i>.npy` and the model's outputs
computed by LibTorch in float64, `<name>.case<k>.out<i>.npy`, which are the
expected values of the tests. `manifest.json` (and `manifest.txt`, for the
C++ tests) lists each model with its `--input` specs and files, and the
error-case files under "errors". Everything is seeded, so two runs
give the same files. The run is skipped when `OUTPUT_DIR/stamp` contains the
hash of this script and the torch version (delete it to force a rebuild).

Every traced torchvision model is traced at batch 1 on 1x3x224x224. The large
ones (resnet50, densenet121, vgg11) and the later scripted ones run in the
tests on 1x3x64x64 inputs, which keeps the reference executor's run short
and goes through the same operators.
"""

import argparse
import copy
import hashlib
import io
import json
import os
import sys
import time
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Every model by name: dict(make=factory returning the module,
# mode="trace" | "trace_grad" | "script", specs=[--input specs],
# cases=[one list of input shapes per case] or None).
MODELS = {}


def register(name, mode, specs, cases=None, example=None):
    """Register a model factory.

    `specs` are the `--input` specs in forward-argument order. `cases` is a
    list of shape lists to run in the test. It defaults to the spec shapes
    with symbols set to 1. The module is traced with inputs of the `example`
    shapes when given, and with the first case's inputs otherwise.
    """

    def wrap(factory):
        MODELS[name] = dict(make=factory, mode=mode, specs=specs, cases=cases, example=example)
        return factory

    return wrap


def parse_spec(spec):
    name, rest = spec.split(":")
    dtype, shape = rest[:-1].split("[")
    dims = [d for d in shape.split(",") if d]
    return name, dtype, dims


def default_case(specs):
    shapes = []
    for spec in specs:
        _, _, dims = parse_spec(spec)
        shapes.append([int(d) if d.lstrip("-").isdigit() else 1 for d in dims])
    return [shapes]


def make_input(dtype, shape, generator, index):
    if dtype == "f32":
        return torch.randn(*shape, generator=generator)
    if dtype == "i64":
        # Token ids for the embedding models; their vocabularies have 100 rows.
        return torch.randint(0, 100, shape, generator=generator)
    if dtype == "bool":
        mask = torch.ones(*shape, dtype=torch.bool)
        # Mask out the last quarter of the sequence so masked_fill matters.
        mask[..., shape[-1] - max(1, shape[-1] // 4):] = False
        return mask
    raise ValueError(f"input dtype {dtype} has no generator; add one to make_input")


# ---------------------------------------------------------------- torchvision


def torchvision_model(name, size):
    """Build a torchvision model with random weights and calibrated batch norms.

    With freshly initialized batch-norm statistics some networks (mobilenet,
    efficientnet) shrink their activations layer by layer to outputs of about
    1e-9, where an absolute tolerance of 1e-4 could not catch any error. One
    forward pass in training mode with momentum 1 sets every batch norm's
    running statistics to those of random `size` x `size` images, which keeps
    activations near unit scale.
    """
    import torchvision

    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.momentum = 1.0
    model.train()
    with torch.no_grad():
        # Small images need more of them, or the last layers' statistics come
        # from a handful of values and the network turns ill-conditioned.
        batch = 1 if size >= 224 else 8
        model(torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(99)))
    return model.eval()


IMAGE_224 = ["x:f32[1,3,224,224]"]
IMAGE_64 = ["x:f32[1,3,64,64]"]

for _name, _spec in [
    ("resnet18", IMAGE_224),
    ("mobilenet_v2", IMAGE_224),
    ("mobilenet_v3_small", IMAGE_224),
    ("efficientnet_b0", IMAGE_224),
    ("squeezenet1_1", IMAGE_224),
    ("regnet_y_400mf", IMAGE_224),
    ("resnet50", IMAGE_64),
    ("densenet121", IMAGE_64),
    ("vgg11", IMAGE_64),
]:
    _size = 224 if _spec is IMAGE_224 else 64
    register(_name + "_traced", "trace", _spec, example=[[1, 3, 224, 224]])(
        lambda n=_name, s=_size: torchvision_model(n, s)
    )

for _name in ["resnet18", "mobilenet_v3_small", "squeezenet1_1"]:
    register(_name + "_scripted", "script", IMAGE_224)(lambda n=_name: torchvision_model(n, 224))
# Scripting these takes longer, so they run at the small image size.
for _name in ["mobilenet_v2", "efficientnet_b0", "densenet121"]:
    register(_name + "_scripted", "script", IMAGE_64)(lambda n=_name: torchvision_model(n, 64))

# Traced at batch 1, then run with a symbolic batch at 1 and 4.
register(
    "resnet18_symbolic_batch",
    "trace",
    ["x:f32[N,3,64,64]"],
    cases=[[[1, 3, 64, 64]], [[4, 3, 64, 64]]],
    example=[[1, 3, 224, 224]],
)(lambda: torchvision_model("resnet18", 64))


# ---------------------------------------------------------------- transformers


def encoder(layers=2, d_model=64, heads=4, ff=128, batch_first=True, activation="relu"):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(
        d_model, heads, ff, dropout=0.1, activation=activation, batch_first=batch_first
    )
    return nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)


register("transformer_decomposed", "trace_grad", ["x:f32[1,10,64]"])(lambda: encoder())
register("transformer_decomposed_gelu", "trace_grad", ["x:f32[1,10,64]"])(
    lambda: encoder(activation="gelu")
)
register("transformer_fused", "trace", ["x:f32[1,10,64]"])(lambda: encoder())
register("transformer_fused_gelu", "trace", ["x:f32[1,10,64]"])(
    lambda: encoder(activation="gelu")
)
register(
    "transformer_fused_batch",
    "trace",
    ["x:f32[N,10,64]"],
    cases=[[[1, 10, 64]], [[3, 10, 64]]],
)(lambda: encoder())


class MultiHeadAttentionModel(nn.Module):
    """nn.MultiheadAttention alone, fused under no_grad, with a padding mask."""

    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(32, 4, batch_first=True)

    def forward(self, x, padding_mask):
        y, _ = self.attention(x, x, x, key_padding_mask=padding_mask, need_weights=False)
        return y


register("mha_fused_masked", "trace", ["x:f32[1,8,32]", "padding_mask:bool[1,8]"])(
    lambda: MultiHeadAttentionModel()
)


class BertLayer(nn.Module):
    def __init__(self, dim, heads, approximate):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim)
        self.ff1 = nn.Linear(dim, 2 * dim)
        self.ff2 = nn.Linear(2 * dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-12)
        self.dropout = nn.Dropout(0.1)
        self.approximate = approximate

    def forward(self, x, mask):
        batch, seq, dim = x.shape
        head_dim = dim // self.heads
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = q.view(batch, seq, self.heads, head_dim).transpose(1, 2)
        k = k.view(batch, seq, self.heads, head_dim).permute(0, 2, 3, 1)
        v = v.reshape(batch, -1, self.heads, head_dim).transpose(1, 2).contiguous()
        scores = torch.matmul(q, k) / (head_dim ** 0.5)
        expanded = mask[:, None, None, :].expand(batch, self.heads, seq, seq)
        scores = scores.masked_fill(expanded == 0, -1e4)
        probs = self.dropout(F.softmax(scores, dim=-1))
        context = torch.bmm(
            probs.reshape(batch * self.heads, seq, seq), v.view(batch * self.heads, seq, head_dim)
        )
        context = context.view(batch, self.heads, seq, head_dim).transpose(1, 2).flatten(2)
        x = self.norm1(x + self.out(context))
        hidden = F.gelu(self.ff1(x), approximate=self.approximate)
        return self.norm2(x + self.ff2(hidden))


class TinyBert(nn.Module):
    def __init__(self, vocab=100, dim=32, heads=4, max_len=64):
        super().__init__()
        self.tokens = nn.Embedding(vocab, dim)
        self.positions = nn.Embedding(max_len, dim)
        self.norm = nn.LayerNorm(dim)
        self.layers = nn.ModuleList(
            [BertLayer(dim, heads, "none"), BertLayer(dim, heads, "tanh")]
        )
        self.pooler = nn.Linear(dim, dim)

    def forward(self, ids, mask):
        seq = ids.size(1)
        positions = torch.arange(seq, device=ids.device).unsqueeze(0)
        x = self.norm(self.tokens(ids) + self.positions(positions))
        for layer in self.layers:
            x = layer(x, mask)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return x, pooled


register("tiny_bert", "trace", ["ids:i64[1,16]", "mask:bool[1,16]"])(
    lambda: (torch.manual_seed(0), TinyBert())[1]
)
register(
    "tiny_bert_batch",
    "trace",
    ["ids:i64[N,16]", "mask:bool[N,16]"],
    cases=[[[1, 16], [1, 16]], [[3, 16], [3, 16]]],
)(lambda: (torch.manual_seed(0), TinyBert())[1])


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 32), nn.Tanh(),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        return F.log_softmax(self.layers(x), dim=1)


register("mlp_traced", "trace", ["x:f32[N,20]"], cases=[[[1, 20]], [[5, 20]]])(
    lambda: (torch.manual_seed(0), Mlp())[1]
)
register("mlp_scripted", "script", ["x:f32[N,20]"], cases=[[[3, 20]]])(
    lambda: (torch.manual_seed(0), Mlp())[1]
)


# ---------------------------------------------------------------- operator families


class Lambda(nn.Module):
    """Wraps a function of the inputs plus optional submodules."""

    def __init__(self, function, **modules):
        super().__init__()
        self.function = function
        self.parts = nn.ModuleDict(modules)

    def forward(self, *inputs):
        return self.function(self.parts, *inputs)


def small(name, specs, function, mode="trace", cases=None, **modules):
    def factory():
        torch.manual_seed(0)
        built = {key: make() for key, make in modules.items()}
        return Lambda(function, **built)

    register(name, mode, specs, cases)(factory)


IMAGE_SMALL = ["x:f32[2,8,13,17]"]
for _label, _args in [
    ("conv_plain", dict(kernel_size=3)),
    ("conv_stride_pad", dict(kernel_size=3, stride=2, padding=1)),
    ("conv_groups4", dict(kernel_size=3, padding=1, groups=4)),
    ("conv_depthwise", dict(kernel_size=3, padding=1, groups=8, out_channels=8)),
    ("conv_dilation", dict(kernel_size=3, padding=2, dilation=2)),
    ("conv_asymmetric", dict(kernel_size=(3, 5), stride=(2, 1), padding=(0, 2), dilation=(1, 2))),
    ("conv_no_bias", dict(kernel_size=1, bias=False)),
    ("conv_pad_reflect", dict(kernel_size=3, padding=2, padding_mode="reflect")),
    ("conv_pad_replicate", dict(kernel_size=3, padding=(1, 2), padding_mode="replicate")),
    ("conv_pad_circular", dict(kernel_size=3, padding=1, padding_mode="circular")),
    ("conv_pad_same", dict(kernel_size=4, padding="same", dilation=1)),
]:
    _conv_args = dict(in_channels=8, out_channels=16)
    _conv_args.update(_args)
    small(
        _label, IMAGE_SMALL, lambda parts, x: parts["conv"](x),
        conv=lambda a=_conv_args: nn.Conv2d(**a),
    )
    if _label in ("conv_groups4", "conv_pad_reflect"):
        register(_label + "_scripted", "script", IMAGE_SMALL)(
            lambda a=_conv_args: (torch.manual_seed(0), nn.Conv2d(**a))[1]
        )


class ConvBnRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 16, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.relu6 = nn.ReLU6(inplace=True)
        with torch.no_grad():
            self.bn.running_mean.uniform_(-0.5, 0.5)
            self.bn.running_var.uniform_(0.5, 2.0)
            self.bn.weight.uniform_(0.5, 1.5)
            self.bn.bias.uniform_(-0.5, 0.5)

    def forward(self, x):
        return self.relu6(self.bn(self.conv(x)))


register("conv_bn_relu6", "trace", IMAGE_SMALL)(lambda: (torch.manual_seed(0), ConvBnRelu())[1])

small("max_pool", IMAGE_SMALL, lambda p, x: F.max_pool2d(x, 3, 2, 1))
small("max_pool_ceil_dilated", IMAGE_SMALL,
      lambda p, x: F.max_pool2d(x, (2, 3), (2, 2), (1, 0), dilation=(2, 1), ceil_mode=True))
small("avg_pool", IMAGE_SMALL, lambda p, x: F.avg_pool2d(x, 3, 2, 1))
small("avg_pool_exclude_pad_ceil", IMAGE_SMALL,
      lambda p, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False))
small("avg_pool_divisor", IMAGE_SMALL, lambda p, x: F.avg_pool2d(x, 2, divisor_override=3))
small("adaptive_avg_pool_non_dividing", IMAGE_SMALL, lambda p, x: F.adaptive_avg_pool2d(x, (5, 7)))
small("adaptive_avg_pool_upsampling", IMAGE_SMALL, lambda p, x: F.adaptive_avg_pool2d(x, (20, 3)))
small("adaptive_max_pool_non_dividing", IMAGE_SMALL, lambda p, x: F.adaptive_max_pool2d(x, (4, 6)))
small("interpolate_nearest_scale", IMAGE_SMALL,
      lambda p, x: F.interpolate(x, scale_factor=2.0, mode="nearest"))
small("interpolate_nearest_size", IMAGE_SMALL,
      lambda p, x: F.interpolate(x, size=(7, 30), mode="nearest"))
small("interpolate_bilinear", IMAGE_SMALL,
      lambda p, x: F.interpolate(x, size=(20, 9), mode="bilinear", align_corners=False))
small("interpolate_bilinear_align_corners", IMAGE_SMALL,
      lambda p, x: F.interpolate(x, size=(20, 9), mode="bilinear", align_corners=True))
small("interpolate_bilinear_scale", IMAGE_SMALL,
      lambda p, x: F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=False))
register("upsample_module_scripted", "script", IMAGE_SMALL)(
    lambda: nn.Upsample(scale_factor=2.0, mode="bilinear", align_corners=True)
)
small("gelu_both", ["x:f32[4,33]"],
      lambda p, x: F.gelu(x) + F.gelu(x * 0.5, approximate="tanh"))
small("activations", ["x:f32[4,33]"],
      lambda p, x: torch.cat([torch.sigmoid(x), F.silu(x), F.hardswish(x), F.hardsigmoid(x),
                              F.leaky_relu(x, 0.1), F.relu6(x), torch.clamp(x, -0.5, 0.7),
                              F.elu(x).clamp(max=10.0) * 0 + x.abs().sqrt(), torch.exp(-x * x),
                              torch.rsqrt(x * x + 1.0), torch.erf(x), torch.tanh(x)], dim=1))
small("elementwise_broadcast", ["a:f32[3,1,5]", "b:f32[4,1]"],
      lambda p, a, b: ((a + b) * 2.0 - b / (a.abs() + 1.0)).pow(2) + torch.maximum(a, b)
      - torch.minimum(a, b * 0.5) + torch.where(a > b, a, -b) + (3.0 - a) + (1.0 / (b + 4.0)))
small("reductions", ["x:f32[3,4,5]"],
      lambda p, x: torch.cat([x.sum(dim=1), x.mean(dim=-1), x.amax(dim=(0, 2), keepdim=True)
                              .expand(3, 4, 1).flatten(1), x.max(dim=2)[0]], dim=1))
small("slice_cat_chunk_expand", ["x:f32[2,12,7]"],
      lambda p, x: torch.cat(list(x.chunk(3, dim=1))[::-1] + [x[:, 2:9:3, 1:-1].expand(2, 3, 5)
                                                                .reshape(2, 3, 5)
                                                                .repeat_interleave(1, dim=0)
                                                                .narrow(2, 0, 5)
                                                                .repeat(1, 1, 1)[:, :, :]
                                                                .contiguous()
                                                                .view(2, 3, 5)
                                                                .sum(2, keepdim=True)
                                                                .expand(2, 3, 7)], dim=1))
small("split_select_squeeze", ["x:f32[2,6,1,5]"],
      lambda p, x: torch.stack([t.squeeze(2)[:, 0] for t in x.split([2, 4], dim=1)], 0)
      + x[1, -1, 0].unsqueeze(0).unsqueeze(0))
small("matmul_family", ["a:f32[2,3,4]", "b:f32[4,5]"],
      lambda p, a, b: torch.cat([torch.matmul(a, b), torch.bmm(a, b.expand(2, 4, 5)),
                                 torch.addmm(b[0], a[0], b).unsqueeze(0).expand(2, 3, 5),
                                 F.linear(a, b.t(), b[1]), a @ b], dim=2))
small("softmax_log_softmax", ["x:f32[3,7]"],
      lambda p, x: torch.cat([F.softmax(x, dim=0), F.log_softmax(x * 3, dim=-1)], 1))
small("layer_norm_no_affine", ["x:f32[2,3,8]"],
      lambda p, x: F.layer_norm(x, (3, 8), eps=1e-3) + p["ln"](x), ln=lambda: nn.LayerNorm(8))

# F.scaled_dot_product_attention exists from PyTorch 2.0 on (enable_gqa from
# 2.5 on), so these models are made only by a newer torch, as
# tests/models/check_newer_torch.sh does.
if hasattr(F, "scaled_dot_product_attention"):
    def attention_masks(parts, q, k, v, keep):
        """Attend under a bool mask (true = attend) and under a float mask added to the scores."""
        by_bool = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
        by_float = F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tanh(q.sum(-1, keepdim=True)))
        return torch.cat([by_bool, by_float], dim=-1)

    small("sdpa_masks", ["q:f32[2,4,5,8]", "k:f32[2,4,6,8]", "v:f32[2,4,6,8]", "keep:bool[2,1,5,6]"],
          attention_masks)
    small("sdpa_causal_scale", ["q:f32[1,2,5,8]", "k:f32[1,2,7,8]", "v:f32[1,2,7,8]"],
          lambda p, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3))
    small("sdpa_gqa", ["q:f32[1,4,5,8]", "k:f32[1,2,5,8]", "v:f32[1,2,5,8]"],
          lambda p, q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True))


def inplace_chain(parts, x):
    y = x * 2.0
    alias = y  # the same tensor, so every later in-place update of y applies to it
    y.add_(1.0)
    y.relu_()
    z = y.clone()
    z.mul_(3.0).sub_(0.5)
    F.hardtanh_(z, -1.0, 4.0)
    w = torch.sigmoid(x)
    w += alias
    w.div_(2.0)
    return z + alias, w


small("inplace_ops", ["x:f32[3,9]"], inplace_chain)
small("inplace_modules", IMAGE_SMALL,
      lambda p, x: p["seq"](x),
      seq=lambda: nn.Sequential(nn.Conv2d(8, 8, 1), nn.ReLU(inplace=True), nn.Hardswish(inplace=True),
                                nn.Conv2d(8, 8, 1), nn.ReLU6(inplace=True),
                                nn.Hardsigmoid(inplace=True), nn.SiLU(inplace=True)))


class ShapeArithmetic(nn.Module):
    """Sizes read from the input, multiplied and floor-divided, then reshaped."""

    def forward(self, x):
        batch, channels, height, width = x.shape
        flat = x.view(batch, channels * height * width // 2, 2)
        if x.dim() != 4:
            raise ValueError("expected a 4-D input")
        return flat.reshape(x.size(0), -1).view(batch * 2, -1)


register("shape_arithmetic", "trace", ["x:f32[N,4,6,5]"],
         cases=[[[1, 4, 6, 5]], [[3, 4, 6, 5]]])(ShapeArithmetic)
register("shape_arithmetic_scripted", "script", ["x:f32[N,4,6,5]"],
         cases=[[[2, 4, 6, 5]], [[1, 4, 6, 5]]])(ShapeArithmetic)


# ---------------------------------------------------------------- export


def export(name, entry):
    module = entry["make"]()
    module.eval()
    cases = entry["cases"] or default_case(entry["specs"])
    generator = torch.Generator().manual_seed(1234)
    case_inputs = []
    for shapes in cases:
        inputs = []
        for index, (spec, shape) in enumerate(zip(entry["specs"], shapes)):
            _, dtype, _ = parse_spec(spec)
            inputs.append(make_input(dtype, shape, generator, index))
        case_inputs.append(inputs)

    example = tuple(case_inputs[0])
    if entry["example"]:
        example = tuple(torch.randn(*shape, generator=generator) for shape in entry["example"])
    if entry["mode"] == "script":
        exported = torch.jit.script(module)
    elif entry["mode"] == "trace_grad":
        exported = torch.jit.trace(module, example, check_trace=False)
    else:
        with torch.no_grad():
            exported = torch.jit.trace(module, example, check_trace=False)
    return module, exported, case_inputs


def as_tuple(outputs):
    return (outputs,) if isinstance(outputs, torch.Tensor) else tuple(outputs)


def save_case_files(output_dir, name, module, exported, case_inputs):
    """Save each case's inputs and expected outputs; return the manifest rows.

    The expected outputs come from the eager module run in float64 and are
    rounded to float32. LibTorch's own float32 run differs from them by
    float32 rounding that grows with depth (the log line of each model shows
    by how much), so it would be no sharper an oracle than the code under
    test. The float32 run of the exported module is compared too, to check
    that export kept the model's function.
    """
    reference = copy.deepcopy(module).double()
    records = []
    for case_index, inputs in enumerate(case_inputs):
        with torch.no_grad():
            exported_outputs = as_tuple(exported(*inputs))
            outputs = as_tuple(reference(*[t.double() if t.is_floating_point() else t for t in inputs]))
        outputs = tuple(t.float() if t.is_floating_point() else t for t in outputs)
        for exported_output, output in zip(exported_outputs, outputs):
            difference = (exported_output.double() - output.double()).abs().max().item()
            scale = output.double().abs().max().item()
            print(f"make_models: {name} case {case_index}: LibTorch float32 differs from float64 "
                  f"by at most {difference:.3g} (max |output| {scale:.3g})")
            if difference > 1e-2 * max(scale, 1.0):
                raise RuntimeError(f"{name}: the exported module differs from the eager module in "
                                   f"float64 by {difference} (output scale {scale}); check the export")
        record = {"inputs": [], "outputs": []}
        for kind, tensors in (("in", inputs), ("out", outputs)):
            for index, tensor in enumerate(tensors):
                file = f"{name}.case{case_index}.{kind}{index}.npy"
                np.save(os.path.join(output_dir, file), tensor.detach().numpy())
                record["inputs" if kind == "in" else "outputs"].append(file)
        records.append(record)
    return records


# ---------------------------------------------------------------- error cases


def make_error_cases(output_dir):
    """Write the files whose import must fail, and return their manifest rows."""
    errors = {}

    class FftModel(nn.Module):
        def forward(self, x):
            return torch.fft.fft(x).real + torch.unique(x).sum()

    torch.jit.save(torch.jit.trace(FftModel(), torch.randn(8), check_trace=False),
                   os.path.join(output_dir, "error_unsupported_op.pt"))
    errors["unsupported_op"] = dict(file="error_unsupported_op.pt", inputs=["x:f32[8]"])

    torch.manual_seed(0)
    training = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    training.train()
    torch.jit.save(torch.jit.script(training), os.path.join(output_dir, "error_training_dropout.pt"))
    errors["training_dropout"] = dict(file="error_training_dropout.pt", inputs=["x:f32[2,4]"])

    batch_norm = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    batch_norm.train()
    torch.jit.save(torch.jit.trace(batch_norm, torch.randn(2, 3, 8, 8), check_trace=False),
                   os.path.join(output_dir, "error_training_batch_norm.pt"))
    errors["training_batch_norm"] = dict(file="error_training_batch_norm.pt",
                                         inputs=["x:f32[2,3,8,8]"])

    class ViewMutation(nn.Module):
        def forward(self, x):
            y = x * 2.0
            view = y[:, :2]
            y.add_(1.0)  # `view` shares y's storage, so this update changes it
            return view + 0.0

    torch.jit.save(torch.jit.trace(ViewMutation(), torch.randn(3, 4), check_trace=False),
                   os.path.join(output_dir, "error_view_mutation.pt"))
    errors["view_mutation"] = dict(file="error_view_mutation.pt", inputs=["x:f32[3,4]"])

    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(nn.Linear(4, 4).eval()), buffer)
    whole = buffer.getvalue()
    with open(os.path.join(output_dir, "error_truncated.pt"), "wb") as file:
        file.write(whole[: len(whole) // 2])
    errors["truncated"] = dict(file="error_truncated.pt", inputs=["x:f32[2,4]"])

    random_bytes = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    with open(os.path.join(output_dir, "error_random_bytes.pt"), "wb") as file:
        file.write(random_bytes)
    errors["random_bytes"] = dict(file="error_random_bytes.pt", inputs=["x:f32[2,4]"])

    torch.save(nn.Linear(4, 4).state_dict(), os.path.join(output_dir, "error_state_dict.pt"))
    errors["state_dict"] = dict(file="error_state_dict.pt", inputs=["x:f32[2,4]"])

    # A newer PyTorch writes a higher file-format version into the archive's
    # `version` record. No newer torch is installed here, so a copy with that
    # record rewritten to 99 plays the part of such a file.
    newer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as source, \
            zipfile.ZipFile(newer, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("/version") and "/.data/" not in info.filename:
                data = b"99\n"
            target.writestr(info.filename, data)
    with open(os.path.join(output_dir, "error_newer_version.pt"), "wb") as file:
        file.write(newer.getvalue())
    errors["newer_version"] = dict(file="error_newer_version.pt", inputs=["x:f32[2,4]"])

    # A newer PyTorch can also save calls to operators this LibTorch does not
    # know, which stops torch.jit.load itself. Renaming torch.relu in the
    # saved code of a scripted model plays the part of such a file.
    unknown = io.BytesIO()
    relu = io.BytesIO()
    torch.jit.save(torch.jit.script(nn.Sequential(nn.Linear(4, 4), nn.ReLU()).eval()), relu)
    with zipfile.ZipFile(io.BytesIO(relu.getvalue())) as source, \
            zipfile.ZipFile(unknown, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".py"):
                data = data.replace(b"torch.relu(", b"torch.npujar_unknown_op(")
            target.writestr(info.filename, data)
    with open(os.path.join(output_dir, "error_unknown_builtin.pt"), "wb") as file:
        file.write(unknown.getvalue())
    errors["unknown_builtin"] = dict(file="error_unknown_builtin.pt", inputs=["x:f32[2,4]"])
    return errors


# ---------------------------------------------------------------- main


def write_text_manifest(manifest, path):
    """Write the manifest as lines the C++ tests parse without a JSON library.

    model NAME FILE            one per model, followed by its lines:
    input SPEC                 one per forward() argument, in order
    case IN,IN,... OUT,OUT,... one per set of inputs and expected outputs
    error NAME FILE SPEC ...   one per file whose import must fail
    """
    lines = []
    for name, entry in manifest["models"].items():
        lines.append(f"model {name} {entry['file']}")
        lines.extend(f"input {spec}" for spec in entry["inputs"])
        for case in entry["cases"]:
            lines.append(f"case {','.join(case['inputs'])} {','.join(case['outputs'])}")
    for name, entry in manifest["errors"].items():
        lines.append(f"error {name} {entry['file']} {' '.join(entry['inputs'])}")
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")


def script_stamp():
    with open(__file__, "rb") as file:
        digest = hashlib.sha256(file.read())
    digest.update(torch.__version__.encode())
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir")
    parser.add_argument("--only", nargs="*", help="make only these models (no stamp is written)")
    parser.add_argument("--list", action="store_true", help="print the model names and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join(MODELS))
        return 0

    os.makedirs(args.output_dir, exist_ok=True)
    stamp_path = os.path.join(args.output_dir, "stamp")
    manifest_path = os.path.join(args.output_dir, "manifest.json")
    stamp = script_stamp()
    if not args.only and os.path.exists(manifest_path) and os.path.exists(stamp_path):
        with open(stamp_path) as file:
            if file.read().strip() == stamp:
                print(f"make_models: {args.output_dir} is up to date")
                return 0

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    started = time.monotonic()
    manifest = {"torch_version": torch.__version__, "models": {}, "errors": {}}
    for name, entry in MODELS.items():
        if args.only and name not in args.only:
            continue
        model_started = time.monotonic()
        module, exported, case_inputs = export(name, entry)
        file = f"{name}.pt"
        torch.jit.save(exported, os.path.join(args.output_dir, file))
        cases = save_case_files(args.output_dir, name, module, exported, case_inputs)
        manifest["models"][name] = dict(file=file, inputs=entry["specs"], cases=cases)
        print(f"make_models: {name} ({time.monotonic() - model_started:.1f} s)", flush=True)

    manifest["errors"] = make_error_cases(args.output_dir)
    with open(manifest_path, "w") as file:
        json.dump(manifest, file, indent=1, sort_keys=True)
    write_text_manifest(manifest, os.path.join(args.output_dir, "manifest.txt"))
    if not args.only:
        with open(stamp_path, "w") as file:
            file.write(stamp + "\n")
    print(f"make_models: wrote {len(manifest['models'])} models to {args.output_dir} "
          f"in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
