#!/usr/bin/env python3
"""Export a pretrained image model to ONNX as a Histo Workstation backbone.

Run this on a machine with internet access and PyTorch; copy the two files it writes
(<name>.onnx and its sidecar <name>.json) to the workstation and import the .onnx there.
The model's output is the pooled embedding, shape [N, D], with a dynamic batch dimension.

Requirements: torch, and timm (for timm models), transformers (for Hugging Face models) or
torchvision (for torchvision models); onnx and onnxruntime are optional (used to verify).

Usage:
    python tools/export-backbone.py timm:resnet50.a1_in1k
    python tools/export-backbone.py timm:hf-hub:1aurent/vit_small_patch16_224.kaiko_ai_towards_large_pathology_fms
    python tools/export-backbone.py torchvision:resnet18 --out-dir backbones/
    python tools/export-backbone.py hf:facebook/dinov2-small --input-size 224
    python tools/export-backbone.py timm:hf-hub:MahmoodLab/UNI --name uni --license "CC-BY-NC-ND-4.0"

Gated Hugging Face models (UNI, Virchow, ...) need `huggingface-cli login` first; respect their
licences, which the sidecar records.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
OPSET = 17


class Loaded:
    """A model ready to export: the module returning [N, D] and what the sidecar needs."""

    def __init__(self, module: Any, input_size: int, mean: Tuple[float, float, float], std: Tuple[float, float, float],
                 source: str, license_: Optional[str], description: str) -> None:
        self.module = module
        self.input_size = input_size
        self.mean = mean
        self.std = std
        self.source = source
        self.license = license_
        self.description = description


def load_timm(name: str) -> Loaded:
    import timm

    # num_classes=0 removes the classifier: the forward pass returns the pooled features [N, D].
    model = timm.create_model(name, pretrained=True, num_classes=0)
    config = timm.data.resolve_data_config({}, model=model)
    size = int(config["input_size"][-1])
    pretrained_cfg = getattr(model, "pretrained_cfg", {}) or {}
    license_ = pretrained_cfg.get("license")
    hub_id = pretrained_cfg.get("hf_hub_id")
    source = f"https://huggingface.co/{hub_id}" if hub_id else f"timm:{name}"
    return Loaded(model, size, tuple(config["mean"]), tuple(config["std"]), source, license_,
                  f"timm model {name}, classifier removed; output is the pooled embedding.")


def load_torchvision(name: str) -> Loaded:
    import torch
    import torchvision

    weights_enum = torchvision.models.get_model_weights(name)
    weights = weights_enum.DEFAULT
    model = torchvision.models.get_model(name, weights=weights)
    # Replace the classification layer with identity so the output is the pooled embedding.
    replaced = False
    for attr in ("fc", "classifier", "heads", "head"):
        if hasattr(model, attr):
            setattr(model, attr, torch.nn.Identity())
            replaced = True
            break
    if not replaced:
        raise SystemExit(f"torchvision:{name}: cannot find its classifier (fc/classifier/heads/head) to remove")
    transforms = weights.transforms()
    size = int(getattr(transforms, "crop_size", [224])[0])
    mean = tuple(getattr(transforms, "mean", IMAGENET_MEAN))
    std = tuple(getattr(transforms, "std", IMAGENET_STD))
    return Loaded(model, size, mean, std, f"torchvision:{name} ({weights})", "BSD-3-Clause (torchvision code; see the weights' terms)",
                  f"torchvision {name} with {weights}, classifier removed; output is the pooled embedding.")


def load_hf(repo_id: str) -> Loaded:
    import torch
    from transformers import AutoConfig, AutoImageProcessor, AutoModel

    config = AutoConfig.from_pretrained(repo_id)
    processor = AutoImageProcessor.from_pretrained(repo_id)
    backbone = AutoModel.from_pretrained(repo_id)

    class Pooled(torch.nn.Module):
        """Returns pooler_output when the model has one, else the CLS token (ViT-style) or the mean."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, pixel_values: Any) -> Any:
            out = self.inner(pixel_values=pixel_values)
            pooled = getattr(out, "pooler_output", None)
            if pooled is not None:
                return pooled.flatten(1)
            hidden = out.last_hidden_state
            return hidden[:, 0] if hidden.dim() == 3 else hidden.mean(dim=(2, 3))

    size_cfg = getattr(processor, "crop_size", None) or getattr(processor, "size", None) or {}
    if isinstance(size_cfg, dict):
        size = int(size_cfg.get("height") or size_cfg.get("shortest_edge") or getattr(config, "image_size", 224))
    else:
        size = int(size_cfg)
    mean = tuple(getattr(processor, "image_mean", IMAGENET_MEAN))
    std = tuple(getattr(processor, "image_std", IMAGENET_STD))
    return Loaded(Pooled(backbone), size, mean, std, f"https://huggingface.co/{repo_id}", None,
                  f"Hugging Face model {repo_id}; output is pooler_output, else the CLS token.")


def load(spec: str) -> Loaded:
    kind, _, name = spec.partition(":")
    if not name:
        raise SystemExit(f"{spec}: expected timm:<name>, torchvision:<name> or hf:<repo id>")
    if kind == "timm":
        return load_timm(name)
    if kind == "torchvision":
        return load_torchvision(name)
    if kind == "hf":
        return load_hf(name)
    raise SystemExit(f"{spec}: unknown source '{kind}' (use timm, torchvision or hf)")


def default_name(spec: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", spec.split(":", 1)[1].split("/")[-1]).strip("-") or "backbone"


def export(loaded: Loaded, out_file: Path, input_size: int) -> int:
    import torch

    model = loaded.module.eval()
    dummy = torch.rand(2, 3, input_size, input_size)
    with torch.no_grad():
        reference = model(dummy)
    if reference.dim() != 2:
        raise SystemExit(f"the model returns shape {tuple(reference.shape)}, expected [batch, dim]")
    torch.onnx.export(
        model,
        (dummy,),
        str(out_file),
        input_names=["input"],
        output_names=["embedding"],
        dynamic_axes={"input": {0: "N"}, "embedding": {0: "N"}},
        opset_version=OPSET,
        do_constant_folding=True,
    )
    verify(out_file, dummy.numpy(), reference.numpy())
    return int(reference.shape[1])


def verify(out_file: Path, dummy: Any, reference: Any) -> None:
    """Runs the exported file with onnxruntime (when installed) and compares with PyTorch."""
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime not installed: skipped verification", file=sys.stderr)
        return
    session = ort.InferenceSession(str(out_file), providers=["CPUExecutionProvider"])
    (output,) = session.run(["embedding"], {"input": dummy})
    if output.shape != reference.shape:
        raise SystemExit(f"{out_file}: ONNX output shape {output.shape} differs from PyTorch {reference.shape}")
    if not np.all(np.isfinite(output)):
        raise SystemExit(f"{out_file}: ONNX output has NaN/Inf")
    worst = float(np.max(np.abs(output - reference)) / (np.max(np.abs(reference)) + 1e-12))
    if worst > 1e-3:
        raise SystemExit(f"{out_file}: ONNX output differs from PyTorch by {worst:.2e} (relative)")
    print(f"verified with onnxruntime {ort.__version__}: max relative difference {worst:.1e}", file=sys.stderr)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="timm:<name>, torchvision:<name> or hf:<repo id>")
    parser.add_argument("--out-dir", type=Path, default=Path("."), help="folder for <name>.onnx and <name>.json")
    parser.add_argument("--name", help="backbone name (default: from the model id)")
    parser.add_argument("--input-size", type=int, help="tile size in pixels (default: the model's pretrained config)")
    parser.add_argument("--license", help="licence of the weights, recorded in the sidecar")
    args = parser.parse_args(argv)

    loaded = load(args.model)
    name = args.name or default_name(args.model)
    input_size = args.input_size or loaded.input_size
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out_file = args.out_dir / f"{name}.onnx"
    dim = export(loaded, out_file, input_size)

    sidecar: Dict[str, Any] = {
        "name": name,
        "inputSize": input_size,
        "mean": [float(v) for v in loaded.mean],
        "std": [float(v) for v in loaded.std],
        "inputName": "input",
        "outputName": "embedding",
        "source": loaded.source,
        "license": args.license or loaded.license,
        "description": f"{loaded.description} Embedding dim {dim}; exported with tools/export-backbone.py.",
    }
    sidecar_file = out_file.with_suffix(".json")
    sidecar_file.write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out_file} ({dim} features, {input_size}x{input_size}) and {sidecar_file}")
    if sidecar["license"] is None:
        print("note: licence unknown; check the model card and pass --license", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
