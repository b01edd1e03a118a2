"""The usual Python pipeline, for bench:peer: OpenSlide reads the tiles in DataLoader workers and a
torchvision MobileNetV2 1.0 (random weights: weights do not change speed) embeds them to 1280-d.

    python3 openslide_torch_embed.py SLIDE TILES.json BATCH WORKERS THREADS

TILES.json is a list of [x, y, width, height] level-0 tiles, each resized to 224 px as histo does.
Prints one JSON line: tiles, seconds, tilesPerSecond, versions.
"""
import json
import sys
import time

import numpy as np
import openslide
import torch
import torchvision
from torch.utils.data import DataLoader, Dataset


class SlideTiles(Dataset):
    def __init__(self, path, tiles):
        self.path = path
        self.tiles = tiles
        self.slide = None  # opened once per DataLoader worker

    def __len__(self):
        return len(self.tiles)

    def __getitem__(self, index):
        if self.slide is None:
            self.slide = openslide.OpenSlide(self.path)
        x, y, w, h = self.tiles[index]
        region = self.slide.read_region((x, y), 0, (w, h)).convert("RGB")
        if (w, h) != (224, 224):
            region = region.resize((224, 224))
        pixels = np.asarray(region, dtype=np.float32) / 255.0
        return torch.from_numpy((pixels - 0.5) / 0.5).permute(2, 0, 1)


def main():
    path, tiles_file, batch, workers, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    with open(tiles_file) as f:
        tiles = json.load(f)
    torch.set_num_threads(threads)
    model = torchvision.models.mobilenet_v2(weights=None)
    model.classifier = torch.nn.Identity()  # the 1280-d pooled features, as the bundled ONNX model gives
    model.eval()
    loader = DataLoader(SlideTiles(path, tiles), batch_size=batch, num_workers=workers, shuffle=False)
    done = 0
    start = time.perf_counter()
    with torch.inference_mode():
        for images in loader:
            features = model(images)
            assert features.shape[1] == 1280
            done += images.shape[0]
    seconds = time.perf_counter() - start
    print(json.dumps({
        "tiles": done,
        "seconds": seconds,
        "tilesPerSecond": done / seconds,
        "torch": torch.__version__,
        "openslide": openslide.__library_version__,
    }))


if __name__ == "__main__":
    main()
