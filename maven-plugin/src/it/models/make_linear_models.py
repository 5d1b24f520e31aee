"""Writes the TorchScript fixtures of the plugin's integration tests.

linear.pt and linear-retrained.pt have the same architecture (one input x:f32[N,4]) and
different weights, so a test can change the model file without changing its options.
Run with Debian's torch: /usr/bin/python3 make_linear_models.py
"""
import pathlib

import torch


class TinyClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3)

    def forward(self, x):
        return torch.relu(self.linear(x))


def export(seed, path):
    torch.manual_seed(seed)
    model = TinyClassifier().eval()
    traced = torch.jit.trace(model, torch.zeros(2, 4))
    traced.save(str(path))


if __name__ == "__main__":
    here = pathlib.Path(__file__).resolve().parent
    export(1, here / "linear.pt")
    export(2, here / "linear-retrained.pt")
