"""Export torchvision's mobilenet_v2 to TorchScript for the image-classification sample.

The weights are random (seeded), since pretrained ImageNet weights would be a download; the
sample shows the pipeline, not accuracy. Freshly initialized batch-norm statistics make the
logits vanish (about 1e-9), so the script first sets them from a few random batches, which
gives logits of order 1 that a test can compare. It writes:
  models/mobilenet_v2.pt                 traced model, input x:f32[N,3,224,224], output logits [N,1000]
  src/main/resources/imagenet_classes.txt  the 1000 ImageNet class names from torchvision's metadata
  src/test/resources/reference-input.f32   images/example.png preprocessed as below, [1,3,224,224]
  src/test/resources/reference-logits.f32  the model's logits for that input, [1,1000]
The .f32 files are raw little-endian float32.

Preprocessing, which the Java program repeats: bilinear resize (half-pixel centers, no
antialiasing, as torch.nn.functional.interpolate with align_corners=False) so that the shorter
side is 256, center crop to 224x224 (offsets rounded down), scale to [0,1], subtract the
ImageNet mean and divide by its standard deviation per channel.

Run with Debian's torch: /usr/bin/python3 scripts/export_model.py
"""
import argparse
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image

RESIZE = 256
CROP = 224
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def preprocess(path):
    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
    image = torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0)
    height, width = image.shape[2], image.shape[3]
    if height <= width:
        size = (RESIZE, RESIZE * width // height)
    else:
        size = (RESIZE * height // width, RESIZE)
    resized = F.interpolate(image, size=size, mode="bilinear", align_corners=False)
    top = (size[0] - CROP) // 2
    left = (size[1] - CROP) // 2
    cropped = resized[:, :, top:top + CROP, left:left + CROP] / 255.0
    mean = torch.tensor(MEAN).reshape(1, 3, 1, 1)
    std = torch.tensor(STD).reshape(1, 3, 1, 1)
    return ((cropped - mean) / std).contiguous()


def calibrate_batch_norm(model, batches=4, batch_size=8):
    """Set every batch-norm layer's running mean and variance from random input batches."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # a plain average over the batches
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(batch_size, 3, CROP, CROP))
    model.eval()


def main():
    sample_dir = pathlib.Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample-dir", type=pathlib.Path, default=sample_dir,
                        help="the image-classification sample's directory (default: %(default)s)")
    args = parser.parse_args()

    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(weights=None)
    calibrate_batch_norm(model)
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.zeros(1, 3, CROP, CROP))
        image = preprocess(args.sample_dir / "images" / "example.png")
        logits = model(image)

    (args.sample_dir / "models").mkdir(parents=True, exist_ok=True)
    traced.save(str(args.sample_dir / "models" / "mobilenet_v2.pt"))

    categories = torchvision.models.MobileNet_V2_Weights.IMAGENET1K_V1.meta["categories"]
    resources = args.sample_dir / "src" / "main" / "resources"
    resources.mkdir(parents=True, exist_ok=True)
    (resources / "imagenet_classes.txt").write_text("\n".join(categories) + "\n", encoding="utf-8")

    test_resources = args.sample_dir / "src" / "test" / "resources"
    test_resources.mkdir(parents=True, exist_ok=True)
    image.numpy().astype("<f4").tofile(test_resources / "reference-input.f32")
    logits.numpy().astype("<f4").tofile(test_resources / "reference-logits.f32")
    top5 = torch.topk(torch.softmax(logits, dim=1), 5)
    names = ", ".join(f"{categories[i]} {p:.4f}" for p, i in zip(top5.values[0].tolist(), top5.indices[0].tolist()))
    print(f"export_model: wrote models/mobilenet_v2.pt; PyTorch's top-5 for example.png: {names}")


if __name__ == "__main__":
    main()
