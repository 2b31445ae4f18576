import functools
import io
import logging
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

from winnow_gpu_worker.ml.embed import (
    EmbeddingResult,
    ImageBytesDataset,
    build_backbone,
    embed_images,
    l2_normalize,
)


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
    return embed_images(NAMES, read, untrained, batch_size=4, device="cpu")


def test_embed_images_shapes_order_and_identity(baseline: EmbeddingResult) -> None:
    assert baseline.filenames == sorted(NAMES)
    assert baseline.failed == {}
    assert baseline.embeddings.shape == (10, 512)
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
    second = embed_images(NAMES, read, again, batch_size=3, device="cpu")
    assert second.filenames == baseline.filenames
    np.testing.assert_allclose(second.embeddings, baseline.embeddings, rtol=1e-5, atol=1e-6)

    other, _ = build_backbone(seed=1)
    third = embed_images(NAMES, read, other, batch_size=4, device="cpu")
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
    result = embed_images(names, read, untrained, batch_size=2, device="cpu")
    assert result.filenames == ["good.jpg"]
    assert result.embeddings.shape == (1, 512)
    assert set(result.failed) == {"truncated.jpg", "text.png", "missing.jpg"}
    assert all(result.failed.values())
    assert "FileNotFoundError" in result.failed["missing.jpg"]


def test_all_failed_or_empty_input_keeps_embedding_width(
    tmp_path: Path, untrained: torch.nn.Module
) -> None:
    (tmp_path / "bad.jpg").write_bytes(b"nope")
    read = functools.partial(_read_from_dir, str(tmp_path))
    result = embed_images(["bad.jpg"], read, untrained, device="cpu")
    assert result.filenames == []
    assert result.embeddings.shape == (0, 512)
    assert list(result.failed) == ["bad.jpg"]
    empty = embed_images([], read, untrained, device="cpu")
    assert empty.embeddings.shape == (0, 512)
    assert empty.failed == {}


def test_worker_processes_decode(
    image_dir: Path, untrained: torch.nn.Module, baseline: EmbeddingResult
) -> None:
    read = functools.partial(_read_from_dir, str(image_dir))
    result = embed_images(NAMES, read, untrained, batch_size=4, num_workers=2, device="cpu")
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
        num_workers=2,
        device="cpu",
        multiprocessing_context="spawn",
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


def _reference_resnet(seed: int) -> torchvision.models.ResNet:
    torch.manual_seed(seed)
    model = torchvision.models.resnet18(weights=None)
    # Non-default BatchNorm statistics so a silently skipped buffer would change the output.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    return model


def _reference_embeddings(model: torch.nn.Module, image_dir: Path, names: list[str]) -> np.ndarray:
    model.fc = torch.nn.Identity()
    model.eval()
    ds = ImageBytesDataset(sorted(names), functools.partial(_read_from_dir, str(image_dir)))
    batch = torch.stack([ds[i][0] for i in range(len(ds))])
    with torch.no_grad():
        return model(batch).numpy()


@pytest.mark.parametrize("as_bytes", [False, True])
def test_plain_state_dict_checkpoint(tmp_path: Path, image_dir: Path, as_bytes: bool) -> None:
    ref = _reference_resnet(123)
    path = tmp_path / "plain.pt"
    torch.save(ref.state_dict(), path)  # includes the 1000-class fc, which must be ignored
    model, trained = build_backbone(path.read_bytes() if as_bytes else path)
    assert trained is True
    read = functools.partial(_read_from_dir, str(image_dir))
    result = embed_images(NAMES, read, model, device="cpu")
    expected = _reference_embeddings(ref, image_dir, NAMES)
    np.testing.assert_allclose(result.embeddings, expected, rtol=1e-4, atol=1e-5)


def test_lightning_style_checkpoints(tmp_path: Path, image_dir: Path) -> None:
    ref = _reference_resnet(7)
    backbone_sd = {k: v for k, v in ref.state_dict().items() if not k.startswith("fc.")}
    lightning = {
        "epoch": 3,
        "state_dict": {
            **{f"backbone.{k}": v for k, v in backbone_sd.items()},
            "projection_head.layers.0.weight": torch.zeros(128, 512),
        },
    }
    path = tmp_path / "lightning.ckpt"
    torch.save(lightning, path)
    model, trained = build_backbone(str(path))
    assert trained is True
    expected = _reference_embeddings(_reference_resnet(7), image_dir, NAMES)
    read = functools.partial(_read_from_dir, str(image_dir))
    np.testing.assert_allclose(
        embed_images(NAMES, read, model, device="cpu").embeddings, expected, rtol=1e-4, atol=1e-5
    )

    # lightly's examples wrap the backbone as nn.Sequential(*children()[:-1]) -> index keys.
    seq = torch.nn.Sequential(*list(_reference_resnet(7).children())[:-1])
    torch.save(
        {"state_dict": {f"model.backbone.{k}": v for k, v in seq.state_dict().items()}}, path
    )
    model2, trained2 = build_backbone(path)
    assert trained2 is True
    np.testing.assert_allclose(
        embed_images(NAMES, read, model2, device="cpu").embeddings, expected, rtol=1e-4, atol=1e-5
    )


def test_bad_checkpoints_raise_value_error(tmp_path: Path) -> None:
    sd = _reference_resnet(0).state_dict()
    wrong_shape = dict(sd)
    wrong_shape["conv1.weight"] = torch.zeros(32, 3, 7, 7)
    with pytest.raises(ValueError, match=r"conv1\.weight"):
        build_backbone(_save(tmp_path / "shape.pt", wrong_shape))

    missing = {k: v for k, v in sd.items() if not k.startswith("layer4.1.")}
    with pytest.raises(ValueError, match="missing"):
        build_backbone(_save(tmp_path / "missing.pt", missing))

    extra = {**sd, "layer5.0.conv1.weight": torch.zeros(1)}
    with pytest.raises(ValueError, match="unexpected"):
        build_backbone(_save(tmp_path / "extra.pt", extra))

    resnet50 = torchvision.models.resnet50(weights=None).state_dict()
    with pytest.raises(ValueError):
        build_backbone(_save(tmp_path / "r50.pt", resnet50))

    with pytest.raises(ValueError, match="no ResNet-18"):
        build_backbone(_save(tmp_path / "other.pt", {"foo.weight": torch.zeros(2)}))

    with pytest.raises(ValueError):
        build_backbone(b"not a torch file")


def _save(path: Path, obj: object) -> Path:
    torch.save(obj, path)
    return path


def test_l2_normalize() -> None:
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1e-3, 0.0]], dtype=np.float64)
    out = l2_normalize(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0], [1.0, 0.0]], rtol=1e-6)
