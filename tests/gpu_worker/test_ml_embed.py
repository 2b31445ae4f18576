import functools
import io
import logging
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from lightly.cli._cli_simclr import _SimCLR
from lightly.embedding import SelfSupervisedEmbedding
from lightly.loss import NTXentLoss
from lightly.models import ResNetGenerator
from lightly.models.batchnorm import get_norm_layer
from lightly.transforms.torchvision_v2_compatibility import torchvision_transforms as T
from PIL import Image
from torch import nn

from winnow_common.schemas.worker_config import ModelConfig
from winnow_gpu_worker.ml.embed import (
    EmbeddingResult,
    ImageBytesDataset,
    build_backbone,
    cpu_supports_bf16,
    embed_images,
    l2_normalize,
)
from winnow_gpu_worker.ml.inference_copy import inference_model
from winnow_gpu_worker.ml.pixels import image_file_pixels, normalise_pixels, prepared_batches


def _read_from_dir(root: str, name: str) -> bytes:
    return (Path(root) / name).read_bytes()


def _encode(pixels: np.ndarray, fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


def _pixels(seed: int, size: int = 32) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(size, size, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten tiny images (two byte-identical pairs) written in shuffled order."""
    root = tmp_path_factory.mktemp("images")
    files: dict[str, bytes] = {}
    for i in range(8):
        fmt = "JPEG" if i % 2 else "PNG"
        files[f"img_{i:02d}.{'jpg' if fmt == 'JPEG' else 'png'}"] = _encode(_pixels(i), fmt)
    files["copy_of_03.jpg"] = files["img_03.jpg"]
    files["sub/copy_of_00.png"] = files["img_00.png"]
    for name in reversed(list(files)):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    return root


# Small network input keeps these tests fast (the worker's default is 64).
SIZE = 32

NAMES = [f"img_{i:02d}.{'jpg' if i % 2 else 'png'}" for i in range(8)] + [
    "sub/copy_of_00.png",
    "copy_of_03.jpg",
]


@pytest.fixture(scope="module")
def untrained() -> torch.nn.Module:
    model, trained = build_backbone(seed=0)
    assert trained is False
    return model


@pytest.fixture(scope="module")
def baseline(image_dir: Path, untrained: torch.nn.Module) -> EmbeddingResult:
    read = functools.partial(_read_from_dir, str(image_dir))
    return embed_images(
        NAMES, read, untrained, batch_size=4, device="cpu", input_size=SIZE, precision="fp32"
    )


def test_embed_images_shapes_order_and_identity(baseline: EmbeddingResult) -> None:
    assert baseline.filenames == sorted(NAMES)
    assert baseline.failed == {}
    assert baseline.embeddings.shape == (10, 32)  # lightly's default num_ftrs
    assert baseline.precision == "fp32"
    assert baseline.embeddings.dtype == np.float32
    assert np.isfinite(baseline.embeddings).all()
    row = {name: baseline.embeddings[i] for i, name in enumerate(baseline.filenames)}
    np.testing.assert_allclose(row["copy_of_03.jpg"], row["img_03.jpg"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(row["sub/copy_of_00.png"], row["img_00.png"], rtol=0, atol=1e-6)
    assert not np.allclose(row["img_01.jpg"], row["img_02.png"], atol=1e-3)


def test_progress_is_reported_per_batch(image_dir: Path, untrained: torch.nn.Module) -> None:
    calls: list[tuple[int, int]] = []
    read = functools.partial(_read_from_dir, str(image_dir))
    embed_images(
        NAMES,
        read,
        untrained,
        batch_size=4,
        device="cpu",
        input_size=SIZE,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(4, 10), (8, 10), (10, 10)]


def test_same_seed_is_deterministic_and_rng_is_untouched(
    image_dir: Path, baseline: EmbeddingResult
) -> None:
    torch.manual_seed(1234)
    expected_next = torch.rand(3)
    torch.manual_seed(1234)
    again, _ = build_backbone(seed=0)
    assert torch.equal(torch.rand(3), expected_next)

    read = functools.partial(_read_from_dir, str(image_dir))
    second = embed_images(
        NAMES, read, again, batch_size=3, device="cpu", input_size=SIZE, precision="fp32"
    )
    assert second.filenames == baseline.filenames
    np.testing.assert_allclose(second.embeddings, baseline.embeddings, rtol=1e-5, atol=1e-6)

    other, _ = build_backbone(seed=1)
    third = embed_images(
        NAMES, read, other, batch_size=4, device="cpu", input_size=SIZE, precision="fp32"
    )
    assert not np.allclose(third.embeddings, baseline.embeddings, atol=1e-3)


def test_untrained_backbone_logs_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="winnow_gpu_worker.ml.embed"):
        build_backbone(seed=3)
    assert any("UNTRAINED" in r.getMessage() for r in caplog.records)


def test_corrupt_files_are_reported_not_fatal(
    tmp_path: Path, untrained: torch.nn.Module, baseline: EmbeddingResult
) -> None:
    good = _encode(_pixels(1, size=64), "JPEG")
    (tmp_path / "good.jpg").write_bytes(good)
    (tmp_path / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (tmp_path / "text.png").write_bytes(b"definitely not an image")
    read = functools.partial(_read_from_dir, str(tmp_path))
    names = ["truncated.jpg", "good.jpg", "text.png", "missing.jpg"]
    result = embed_images(names, read, untrained, batch_size=2, device="cpu", input_size=SIZE)
    assert result.filenames == ["good.jpg"]
    assert result.embeddings.shape == (1, 32)
    assert set(result.failed) == {"truncated.jpg", "text.png", "missing.jpg"}
    assert all(result.failed.values())
    assert "FileNotFoundError" in result.failed["missing.jpg"]


def test_all_failed_or_empty_input_keeps_embedding_width(
    tmp_path: Path, untrained: torch.nn.Module
) -> None:
    (tmp_path / "bad.jpg").write_bytes(b"nope")
    read = functools.partial(_read_from_dir, str(tmp_path))
    result = embed_images(["bad.jpg"], read, untrained, device="cpu", input_size=SIZE)
    assert result.filenames == []
    assert result.embeddings.shape == (0, 32)
    assert list(result.failed) == ["bad.jpg"]
    empty = embed_images([], read, untrained, device="cpu", input_size=SIZE)
    assert empty.embeddings.shape == (0, 32)
    assert empty.failed == {}


def test_worker_processes_decode(
    image_dir: Path, untrained: torch.nn.Module, baseline: EmbeddingResult
) -> None:
    read = functools.partial(_read_from_dir, str(image_dir))
    result = embed_images(
        NAMES,
        read,
        untrained,
        batch_size=4,
        num_workers=2,
        device="cpu",
        input_size=SIZE,
        precision="fp32",
    )
    assert result.filenames == baseline.filenames
    np.testing.assert_allclose(result.embeddings, baseline.embeddings, rtol=1e-5, atol=1e-6)


def test_spawned_workers_need_only_a_picklable_reader(
    image_dir: Path, untrained: torch.nn.Module, baseline: EmbeddingResult
) -> None:
    # A bound dict method pickles by value, so the spawned children need no test-module import.
    blobs = {name: (image_dir / name).read_bytes() for name in NAMES}
    blobs["bad.jpg"] = b"\xff\xd8\xff\xe0 broken"
    result = embed_images(
        [*NAMES, "bad.jpg"],
        blobs.__getitem__,
        untrained,
        batch_size=4,
        num_workers=1,  # each spawned worker re-imports torch: one keeps the test fast
        device="cpu",
        input_size=SIZE,
        multiprocessing_context="spawn",
        precision="fp32",
    )
    assert result.filenames == baseline.filenames
    assert list(result.failed) == ["bad.jpg"]
    np.testing.assert_allclose(result.embeddings, baseline.embeddings, rtol=1e-5, atol=1e-6)


def test_dataset_is_picklable_and_handles_modes_and_large_jpegs(image_dir: Path) -> None:
    read = functools.partial(_read_from_dir, str(image_dir))
    ds = pickle.loads(pickle.dumps(ImageBytesDataset(NAMES, read, input_size=48)))
    tensor, index, error = ds[3]
    assert tensor.shape == (3, 48, 48)
    assert tensor.dtype == torch.float32
    assert index == 3
    assert error == ""

    rng = np.random.default_rng(5)
    blobs = {
        "big.jpg": _encode(_pixels(9, size=512), "JPEG"),
        "gray.png": _encode(rng.integers(0, 256, (20, 30), dtype=np.uint8), "PNG"),
        "rgba.png": _encode(rng.integers(0, 256, (16, 16, 4), dtype=np.uint8), "PNG"),
        "pal.gif": _encode(_pixels(2), "GIF"),
    }
    ds2 = ImageBytesDataset(list(blobs), blobs.__getitem__, input_size=32)
    for i in range(len(ds2)):
        tensor, index, error = ds2[i]
        assert error == "", error
        assert tensor.shape == (3, 32, 32)
        assert torch.isfinite(tensor).all()
    # A uniform mid-grey image normalises to (0.5 - mean) / std in every channel.
    grey = _encode(np.full((8, 8, 3), 128, dtype=np.uint8), "PNG")
    tensor, _, _ = ImageBytesDataset(["g"], lambda _n: grey, input_size=4)[0]
    mean = torch.tensor([0.485, 0.456, 0.406])
    std = torch.tensor([0.229, 0.224, 0.225])
    np.testing.assert_allclose(
        tensor[:, 0, 0].numpy(), ((128 / 255 - mean) / std).numpy(), rtol=1e-6, atol=1e-6
    )


def _lightly_cli_model(seed: int, num_ftrs: int = 32) -> _SimCLR:
    """lightly's CLI model (lightly/cli/_helpers.py get_model_from_config), built with lightly."""
    torch.manual_seed(seed)
    resnet = ResNetGenerator("resnet-18", 1)
    features = nn.Sequential(
        get_norm_layer(3, 0),
        *list(resnet.children())[:-1],
        nn.Conv2d(list(resnet.children())[-1].in_features, num_ftrs, 1),
        nn.AdaptiveAvgPool2d(1),
    )
    model = _SimCLR(features, num_ftrs=num_ftrs, out_dim=128)
    # Non-default BatchNorm statistics so a silently skipped buffer would change the output.
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            assert module.running_mean is not None and module.running_var is not None
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    return model


def _save_like_lightly_cli(model: _SimCLR, path: Path) -> Path:
    """The Lightning checkpoint layout lightly-ssl-train writes (lightly_epoch_X.ckpt)."""
    encoder = SelfSupervisedEmbedding(model, NTXentLoss(), None, None)
    torch.save(
        {
            "epoch": 0,
            "global_step": 2,
            "pytorch-lightning_version": "2.6.6",
            "state_dict": encoder.state_dict(),
            "callbacks": {"ModelCheckpoint{'monitor': 'loss'}": {"best_model_path": "a.ckpt"}},
            "optimizer_states": [{"state": {}, "param_groups": [{"lr": 1.0}]}],
            "lr_schedulers": [],
        },
        path,
    )
    return path


def _lightly_embed_reference(model: _SimCLR, image_dir: Path, size: int) -> np.ndarray:
    """What lightly-embed computes: its own transform and the model's backbone."""
    transform = T.Compose(
        [
            T.Resize((size, size)),
            T.ToTensor(),
            T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ]
    )
    batch = torch.stack(
        [transform(Image.open(image_dir / n).convert("RGB")) for n in sorted(NAMES)]
    )
    model.eval()
    with torch.no_grad():
        out: np.ndarray = model.backbone(batch).flatten(1).numpy()
    return out


@pytest.mark.parametrize("as_bytes", [False, True])
def test_lightly_cli_checkpoint_matches_lightly_embed(
    tmp_path: Path, image_dir: Path, as_bytes: bool
) -> None:
    ref = _lightly_cli_model(7)
    path = _save_like_lightly_cli(ref, tmp_path / "lightly_epoch_0.ckpt")
    model, trained = build_backbone(path.read_bytes() if as_bytes else path)
    assert trained is True
    read = functools.partial(_read_from_dir, str(image_dir))
    result = embed_images(NAMES, read, model, input_size=48, device="cpu", precision="fp32")
    expected = _lightly_embed_reference(ref, image_dir, 48)
    np.testing.assert_allclose(result.embeddings, expected, rtol=1e-4, atol=1e-5)


def test_model_config_sets_embedding_size(tmp_path: Path, image_dir: Path) -> None:
    ref = _lightly_cli_model(3, num_ftrs=64)
    path = _save_like_lightly_cli(ref, tmp_path / "d64.ckpt")
    with pytest.raises(ValueError, match="num_ftrs=64"):
        build_backbone(path)  # default lightly.model.numFtrs is 32
    model, _ = build_backbone(path, model_cfg=ModelConfig(num_ftrs=64))
    read = functools.partial(_read_from_dir, str(image_dir))
    result = embed_images(NAMES[:3], read, model, device="cpu", input_size=SIZE)
    assert result.embeddings.shape == (3, 64)


def test_bad_checkpoints_raise_value_error(tmp_path: Path) -> None:
    sd = _lightly_cli_model(0).state_dict()
    wrong_shape = dict(sd)
    wrong_shape["backbone.1.weight"] = torch.zeros(32, 3, 7, 7)
    with pytest.raises(ValueError, match=r"1\.weight"):
        build_backbone(_save(tmp_path / "shape.pt", wrong_shape))

    missing = {k: v for k, v in sd.items() if not k.startswith("backbone.6.1.")}
    with pytest.raises(ValueError, match="missing"):
        build_backbone(_save(tmp_path / "missing.pt", missing))

    extra = {**sd, "backbone.8.weight": torch.zeros(1)}
    with pytest.raises(ValueError, match="unexpected"):
        build_backbone(_save(tmp_path / "extra.pt", extra))

    # A torchvision ResNet (the worker's previous model) is not lightly's model.
    torchvision_like = {"conv1.weight": torch.zeros(64, 3, 7, 7), "fc.weight": torch.zeros(2)}
    with pytest.raises(ValueError, match="no lightly resnet-18 backbone"):
        build_backbone(_save(tmp_path / "tv.pt", torchvision_like))

    with pytest.raises(ValueError):
        build_backbone(b"not a torch file")


def _save(path: Path, obj: object) -> Path:
    torch.save(obj, path)
    return path


def test_bf16_agrees_with_fp32(image_dir: Path, untrained: torch.nn.Module) -> None:
    read = functools.partial(_read_from_dir, str(image_dir))
    fp32 = embed_images(NAMES, read, untrained, device="cpu", input_size=SIZE, precision="fp32")
    bf16 = embed_images(NAMES, read, untrained, device="cpu", input_size=SIZE, precision="bf16")
    assert bf16.precision == "bf16"
    assert bf16.calibration_min_cosine is None  # an explicit precision is not calibrated
    a, b = l2_normalize(fp32.embeddings), l2_normalize(bf16.embeddings)
    cos = (a * b).sum(axis=1)
    assert cos.min() >= 0.99, cos


def test_auto_precision_calibrates_on_first_batch(
    image_dir: Path, untrained: torch.nn.Module, baseline: EmbeddingResult
) -> None:
    read = functools.partial(_read_from_dir, str(image_dir))
    auto = embed_images(NAMES, read, untrained, batch_size=4, device="cpu", input_size=SIZE)
    if cpu_supports_bf16():
        assert auto.precision == "bf16"
        assert auto.calibration_min_cosine is not None
        assert auto.calibration_min_cosine >= 0.995
    else:
        assert auto.precision == "fp32"
    cos = (l2_normalize(auto.embeddings) * l2_normalize(baseline.embeddings)).sum(axis=1)
    assert cos.min() >= 0.99
    with pytest.raises(ValueError, match="precision"):
        embed_images(NAMES, read, untrained, device="cpu", input_size=SIZE, precision="int8")  # type: ignore[arg-type]


def test_l2_normalize() -> None:
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1e-3, 0.0]], dtype=np.float64)
    out = l2_normalize(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0], [1.0, 0.0]], rtol=1e-6)


def test_inference_model_folds_batchnorm_into_convolutions() -> None:
    model, _ = build_backbone(seed=0)
    for module in model.modules():  # non-default statistics, as a trained checkpoint has
        if isinstance(module, nn.BatchNorm2d):
            assert module.running_mean is not None and module.running_var is not None
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    folded = inference_model(model)

    def count_bn(m: nn.Module) -> int:
        return sum(isinstance(x, nn.BatchNorm2d) for x in m.modules())

    # Every BatchNorm after a convolution is gone (lightly's input BatchNorm has no conv before).
    assert count_bn(model) == 21 and count_bn(folded) == 1
    x = torch.from_numpy(np.random.default_rng(0).normal(size=(6, 3, 32, 32)).astype(np.float32))
    with torch.inference_mode():
        np.testing.assert_allclose(folded(x).numpy(), model(x).numpy(), rtol=1e-4, atol=1e-5)
    # The caller's model is not changed.
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    # A model in training mode (BatchNorm uses batch statistics) is not folded.
    assert inference_model(model.train()) is model


def test_prepared_pixels_embed_to_the_same_numbers() -> None:
    """Files whose model pixels were kept (by the check) embed to exactly the numbers of
    decoding them: batches normalised in one pass equal normalise_pixels bit for bit."""
    files = {f"img_{i:02d}.png": _encode(_pixels(i, 40 + i), "PNG") for i in range(11)}
    model = build_backbone(None)[0]
    decoded = embed_images(list(files), files.__getitem__, model, input_size=32, batch_size=4)
    prepared = {name: image_file_pixels(data, 32) for name, data in files.items()}

    def unreadable(name: str) -> bytes:
        raise AssertionError(f"{name} was read again")

    again = embed_images(
        list(files), unreadable, model, input_size=32, batch_size=4, prepared=prepared
    )
    assert again.filenames == decoded.filenames == sorted(files)
    assert np.array_equal(again.embeddings, decoded.embeddings)
    batch = next(prepared_batches(sorted(files), prepared, 4))[0]
    expected = np.stack([normalise_pixels(prepared[n]) for n in sorted(files)[:4]])
    assert np.array_equal(batch.numpy(), expected)
    assert batch.is_contiguous(memory_format=torch.channels_last)
