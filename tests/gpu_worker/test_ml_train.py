"""SimCLR training with lightly: config mapping, a tiny real run, checkpoint round trip."""

import io
import math
from pathlib import Path

import lightly
import numpy as np
import pytest
import torch
from lightly.transforms.simclr_transform import SimCLRTransform
from omegaconf import OmegaConf
from PIL import Image

from winnow_common.schemas.worker_config import LightlyConfig
from winnow_gpu_worker.ml import train_settings
from winnow_gpu_worker.ml.models import build_embedding_model, build_simclr_model, load_checkpoint
from winnow_gpu_worker.ml.train import TrainResult, train_simclr
from winnow_gpu_worker.ml.train_settings import build_transform_kwargs, resolve_training_settings


def _jpeg(seed: int, size: int = 32) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG")
    return buf.getvalue()


BLOBS = {f"img_{i:02d}.jpg": _jpeg(i) for i in range(16)}
TINY = {
    "trainer": {"maxEpochs": 1},
    "loader": {"batchSize": 4, "numWorkers": 0},
    "collate": {"inputSize": 32},
}


def _cfg(**overrides: object) -> LightlyConfig:
    doc: dict[str, object] = {k: dict(v) for k, v in TINY.items()}
    for key, value in overrides.items():
        if isinstance(value, dict):
            section = doc.setdefault(key, {})
            assert isinstance(section, dict)
            section.update(value)
        else:
            doc[key] = value
    return LightlyConfig.model_validate(doc)


def test_defaults_equal_lightly_cli_config_yaml() -> None:
    yaml_path = Path(lightly.__file__).parent / "cli" / "config" / "config.yaml"
    ref = OmegaConf.to_container(OmegaConf.load(yaml_path))
    assert isinstance(ref, dict)
    s = resolve_training_settings(None)
    assert (s.batch_size, s.shuffle, s.num_workers, s.drop_last) == tuple(
        ref["loader"][k] for k in ("batch_size", "shuffle", "num_workers", "drop_last")
    )
    assert (s.model.name, s.model.out_dim, s.model.num_ftrs, s.model.width) == tuple(
        ref["model"][k] for k in ("name", "out_dim", "num_ftrs", "width")
    )
    assert (s.gpus, s.max_epochs, s.precision) == tuple(
        ref["trainer"][k] for k in ("gpus", "max_epochs", "precision")
    )
    assert s.temperature == ref["criterion"]["temperature"]
    assert (s.lr, s.weight_decay) == (ref["optimizer"]["lr"], ref["optimizer"]["weight_decay"])
    assert s.seed == ref["seed"]
    assert s.save_last == ref["checkpoint_callback"]["save_last"]
    expected = dict(ref["collate"])
    expected["sigmas"] = tuple(expected["sigmas"])
    assert s.transform_kwargs == expected


def test_every_collate_key_is_mapped() -> None:
    kwargs = build_transform_kwargs(
        LightlyConfig.model_validate(
            {
                "collate": {
                    "inputSize": 48,
                    "cjProb": 0.1,
                    "cjBright": 0.2,
                    "cjContrast": 0.3,
                    "cjSat": 0.4,
                    "cjHue": 0.05,
                    "minScale": 0.5,
                    "randomGrayScale": 0.6,
                    "gaussianBlur": 0.7,
                    "kernelSize": 0.1,
                    "sigmas": [0.5, 1.5],
                    "vfProb": 0.8,
                    "hfProb": 0.9,
                    "rrProb": 0.25,
                    "rrDegrees": [-15, 30],
                }
            }
        )
    )
    assert kwargs == {
        "input_size": 48,
        "cj_prob": 0.1,
        "cj_bright": 0.2,
        "cj_contrast": 0.3,
        "cj_sat": 0.4,
        "cj_hue": 0.05,
        "min_scale": 0.5,
        "random_gray_scale": 0.6,
        "gaussian_blur": 0.7,
        "sigmas": (0.5, 1.5),
        "vf_prob": 0.8,
        "hf_prob": 0.9,
        "rr_prob": 0.25,
        "rr_degrees": (-15.0, 30.0),
    }
    single = LightlyConfig.model_validate({"collate": {"rrDegrees": [20]}})
    assert build_transform_kwargs(single)["rr_degrees"] == 20.0
    # lightly's transform accepts every mapped value and yields two views of input_size.
    views = SimCLRTransform(**kwargs)(Image.open(io.BytesIO(BLOBS["img_00.jpg"])).convert("RGB"))
    assert [tuple(v.shape) for v in views if isinstance(v, torch.Tensor)] == [(3, 48, 48)] * 2


@pytest.mark.parametrize(
    ("collate", "match"),
    [
        ({"kernelSize": 0.3}, "kernel_size=0.3 has no equivalent"),
        ({"sigmas": [0.1, 1.0, 2.0]}, "sigmas"),
        ({"sigmas": [2.0, 1.0]}, "sigmas"),
        ({"rrDegrees": [1, 2, 3]}, "rr_degrees"),
    ],
)
def test_unmappable_collate_values_raise(collate: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_training_settings(LightlyConfig.model_validate({"collate": collate}))


def test_unknown_schema_field_is_refused_not_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulate a key added to the schema later but not mapped by train_settings.py: it must raise.
    handled = dict(train_settings._HANDLED_KEYS)
    handled["loader"] = frozenset({"batch_size"})
    monkeypatch.setattr(train_settings, "_HANDLED_KEYS", handled)
    cfg = LightlyConfig.model_validate({"loader": {"batchSize": 4, "shuffle": False}})
    with pytest.raises(ValueError, match=r"lightly\.loader keys \['shuffle'\] have no equivalent"):
        resolve_training_settings(cfg)
    resolve_training_settings(LightlyConfig.model_validate({"loader": {"batchSize": 4}}))


@pytest.fixture(scope="module")
def trained() -> tuple[TrainResult, list[tuple[int, int, float]]]:
    calls: list[tuple[int, int, float]] = []
    blobs = {**BLOBS, "broken.jpg": b"\xff\xd8\xff\xe0 not really"}
    torch.manual_seed(1234)
    result = train_simclr(
        list(blobs),
        blobs.__getitem__,
        _cfg(),
        device="cpu",
        progress=lambda e, n, loss: calls.append((e, n, loss)),
    )
    return result, calls


def test_tiny_training_run(trained: tuple[TrainResult, list[tuple[int, int, float]]]) -> None:
    result, calls = trained
    assert result.epochs == 1
    assert len(result.history) == 1
    assert math.isfinite(result.final_loss)
    assert result.final_loss > 0
    assert calls == [(1, 1, result.final_loss)]
    assert list(result.failed) == ["broken.jpg"]
    assert result.device == "cpu"
    assert result.autocast_dtype is None  # precision 32 by default
    assert result.last_checkpoint_bytes is not None  # save_last defaults to True
    # The weights moved away from the seed-1 initialisation.
    init = build_embedding_model(seed=1).state_dict()
    after = result.model.state_dict()
    changed = [k for k in init if k.endswith("weight") and not torch.equal(init[k], after[k])]
    assert len(changed) > 10
    assert not result.model.training


def test_training_leaves_global_rng_untouched() -> None:
    torch.manual_seed(1234)
    expected = torch.rand(3)
    np.random.seed(5)
    np_expected = np.random.rand(3)
    # Re-run a zero-epoch training: RNG isolation does not depend on the epoch count.
    torch.manual_seed(1234)
    np.random.seed(5)
    train_simclr(list(BLOBS), BLOBS.__getitem__, _cfg(trainer={"maxEpochs": 0}), device="cpu")
    assert torch.equal(torch.rand(3), expected)
    np.testing.assert_array_equal(np.random.rand(3), np_expected)


def test_checkpoint_round_trips(
    trained: tuple[TrainResult, list[tuple[int, int, float]]],
) -> None:
    result, _ = trained
    x = torch.randn(5, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    fresh = build_embedding_model(seed=42)
    load_checkpoint(fresh, result.checkpoint_bytes)
    with torch.no_grad():
        torch.testing.assert_close(fresh(x), result.model(x), rtol=1e-5, atol=1e-6)
    # The projection head travels too, so training can continue (and lightly can load it).
    full = build_simclr_model(seed=42)
    load_checkpoint(full, result.checkpoint_bytes)

    # Continuing from the checkpoint starts from its weights (zero epochs = the start point).
    cont = train_simclr(
        list(BLOBS),
        BLOBS.__getitem__,
        _cfg(trainer={"maxEpochs": 0}),
        init_checkpoint=result.checkpoint_bytes,
        device="cpu",
    )
    assert cont.epochs == 0
    assert math.isnan(cont.final_loss)
    with torch.no_grad():
        torch.testing.assert_close(cont.model(x), result.model(x), rtol=1e-5, atol=1e-6)


def test_bf16_precision_and_worker_processes() -> None:
    result = train_simclr(
        list(BLOBS),
        BLOBS.__getitem__,
        _cfg(trainer={"precision": 16}, loader={"numWorkers": 2}, seed=3),
        device="cpu",
    )
    assert result.autocast_dtype == "bfloat16"
    assert math.isfinite(result.final_loss)
    assert result.settings is not None
    assert result.settings.seed == 3


def test_no_usable_batch_raises() -> None:
    with pytest.raises(ValueError, match="no training batch"):
        train_simclr(["a.jpg"], {"a.jpg": BLOBS["img_00.jpg"]}.__getitem__, _cfg(), device="cpu")
    with pytest.raises(ValueError, match="at least one image"):
        train_simclr([], BLOBS.__getitem__, _cfg(), device="cpu")
