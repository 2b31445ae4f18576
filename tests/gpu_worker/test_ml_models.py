"""lightly's CLI model and checkpoint compatibility in both directions."""

import io
from pathlib import Path

import pytest
import torch
from lightly.cli._cli_simclr import _SimCLR
from lightly.cli._helpers import get_model_from_config
from lightly.embedding import SelfSupervisedEmbedding
from lightly.loss import NTXentLoss
from lightly.models import ResNetGenerator
from lightly.models.batchnorm import get_norm_layer
from torch import nn

from winnow_common.schemas.worker_config import ModelConfig
from winnow_gpu_worker.ml.models import (
    EmbeddingModel,
    ModelSpec,
    SimCLRModel,
    build_embedding_model,
    build_simclr_model,
    load_checkpoint,
    save_checkpoint,
)


def _lightly_cli_model(seed: int, num_ftrs: int = 32, out_dim: int = 128) -> _SimCLR:
    """The model exactly as lightly/cli/train_cli.py builds it after ``torch.manual_seed``."""
    torch.manual_seed(seed)
    resnet = ResNetGenerator("resnet-18", 1)
    last_conv_channels = list(resnet.children())[-1].in_features
    features = nn.Sequential(
        get_norm_layer(3, 0),
        *list(resnet.children())[:-1],
        nn.Conv2d(last_conv_channels, num_ftrs, 1),
        nn.AdaptiveAvgPool2d(1),
    )
    model = _SimCLR(features, num_ftrs=num_ftrs, out_dim=out_dim)
    # Non-default BatchNorm statistics, so a silently skipped buffer changes the output.
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            assert module.running_mean is not None and module.running_var is not None
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    return model


def _lightning_checkpoint(model: _SimCLR, path: Path) -> Path:
    """Save like lightly-ssl-train: Lightning layout around SelfSupervisedEmbedding."""
    encoder = SelfSupervisedEmbedding(model, NTXentLoss(), None, None)
    torch.save(
        {
            "epoch": 4,
            "global_step": 40,
            "pytorch-lightning_version": "2.6.6",
            "state_dict": encoder.state_dict(),
            "loops": {"fit_loop": {"state_dict": {}}},
            "callbacks": {"ModelCheckpoint{'monitor': 'loss'}": {"best_model_path": "x.ckpt"}},
            "optimizer_states": [{"state": {}, "param_groups": [{"lr": 1.0}]}],
            "lr_schedulers": [],
        },
        path,
    )
    return path


@pytest.fixture(scope="module")
def ref7() -> _SimCLR:
    return _lightly_cli_model(7)


@pytest.fixture(scope="module")
def emb() -> EmbeddingModel:
    """A target to load into (every successful load overwrites all of its weights)."""
    return build_embedding_model(seed=0)


@pytest.fixture(scope="module")
def sim() -> SimCLRModel:
    return build_simclr_model(seed=0)


def _first_conv(model: EmbeddingModel | SimCLRModel) -> nn.Conv2d:
    conv = model.backbone[1]
    assert isinstance(conv, nn.Conv2d)
    return conv


X = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(0))


def _lightly_embed(model: _SimCLR) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        out: torch.Tensor = model.backbone(X).flatten(1)
    return out


def _ours(model: torch.nn.Module) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        out: torch.Tensor = model(X)
    return out


def test_default_model_matches_lightly_cli_structure_and_init() -> None:
    ours = build_simclr_model(seed=1)
    torch.manual_seed(1)  # what lightly-ssl-train does with its default seed before building
    resnet = ResNetGenerator("resnet-18", 1)
    features = nn.Sequential(
        get_norm_layer(3, 0),
        *list(resnet.children())[:-1],
        nn.Conv2d(512, 32, 1),
        nn.AdaptiveAvgPool2d(1),
    )
    lightly_model = _SimCLR(features, num_ftrs=32, out_dim=128)
    a, b = lightly_model.state_dict(), ours.state_dict()
    assert list(a) == list(b)
    assert all(torch.equal(a[k], b[k]) for k in a), "seeded init differs from lightly's"

    emb = build_embedding_model()
    assert isinstance(emb, EmbeddingModel)
    assert not emb.training
    assert emb.num_ftrs == 32
    assert _ours(emb).shape == (3, 32)


def test_model_config_is_honoured_and_rng_untouched() -> None:
    cfg = ModelConfig(num_ftrs=16, out_dim=64)
    torch.manual_seed(99)
    expected = torch.rand(2)
    torch.manual_seed(99)
    model = build_embedding_model(cfg, seed=3)
    assert torch.equal(torch.rand(2), expected)
    assert _ours(model).shape == (3, 16)
    assert model.spec == ModelSpec(name="resnet-18", width=1, num_ftrs=16, out_dim=64)
    head = build_simclr_model(cfg, seed=3).eval()  # same seed -> same backbone, plus the head
    with torch.no_grad():
        assert head(X).shape == (3, 64)
    torch.testing.assert_close(_ours(head.embedding_model()), _ours(model))
    other = build_embedding_model(cfg, seed=4)
    assert not torch.allclose(_ours(other), _ours(model))


def test_lightly_cli_checkpoint_loads(
    tmp_path: Path, ref7: _SimCLR, emb: EmbeddingModel, sim: SimCLRModel
) -> None:
    ref = ref7
    path = _lightning_checkpoint(ref, tmp_path / "lightly_epoch_4.ckpt")
    expected = _lightly_embed(ref)

    load_checkpoint(emb, path)
    torch.testing.assert_close(_ours(emb), expected, rtol=1e-5, atol=1e-6)

    _first_conv(emb).weight.data.zero_()
    load_checkpoint(emb, path.read_bytes())
    torch.testing.assert_close(_ours(emb), expected, rtol=1e-5, atol=1e-6)

    full = sim
    load_checkpoint(full, path)
    full.eval()
    with torch.no_grad():
        torch.testing.assert_close(full(X), ref.eval()(X), rtol=1e-5, atol=1e-6)


def test_our_checkpoint_loads_in_lightly_and_back(tmp_path: Path, emb: EmbeddingModel) -> None:
    ours = build_simclr_model(seed=11)
    for module in ours.modules():
        if isinstance(module, nn.BatchNorm2d) and module.running_var is not None:
            module.running_var.uniform_(0.5, 1.5)
    path = tmp_path / "winnow.ckpt"
    path.write_bytes(save_checkpoint(ours, epoch=2, extra={"loss": 1.5}))
    cfg = {
        "checkpoint": str(path),
        "model": {"name": "resnet-18", "width": 1, "num_ftrs": 32, "out_dim": 128},
    }
    encoder = get_model_from_config(cfg)  # lightly's own loader (strict)
    expected = _ours(ours.embedding_model())
    torch.testing.assert_close(_lightly_embed(encoder.model), expected, rtol=1e-5, atol=1e-6)

    load_checkpoint(emb, path)
    torch.testing.assert_close(_ours(emb), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("variant", ["simclr", "sequential", "embedding", "ddp", "legacy"])
def test_plain_state_dict_variants(variant: str, ref7: _SimCLR, sim: SimCLRModel) -> None:
    ref = ref7
    expected = _lightly_embed(ref)
    if variant == "simclr":
        sd = dict(ref.state_dict())
    elif variant == "sequential":
        sd = dict(ref.backbone.state_dict())
    elif variant == "embedding":
        sd = {"state_dict": {f"backbone.{k}": v for k, v in ref.backbone.state_dict().items()}}
    elif variant == "ddp":
        sd = {f"module.model.{k}": v for k, v in ref.state_dict().items()}
    else:  # lightly < 1.0.6: "features" instead of "backbone", heads without ".layers"
        sd = {
            "model." + k.replace("backbone.", "features.").replace("head.layers.", "head."): v
            for k, v in ref.state_dict().items()
        }
        sd = {"state_dict": sd}
    buf = io.BytesIO()
    torch.save(sd, buf)
    model = sim
    _first_conv(model).weight.data.zero_()  # a skipped key would now show
    load_checkpoint(model, buf.getvalue())
    torch.testing.assert_close(_ours(model.embedding_model()), expected, rtol=1e-5, atol=1e-6)
    if variant in ("simclr", "ddp", "legacy"):
        torch.testing.assert_close(
            model.projection_head.state_dict(), ref.projection_head.state_dict()
        )


def test_backbone_only_checkpoint_keeps_fresh_head(emb: EmbeddingModel, sim: SimCLRModel) -> None:
    data = save_checkpoint(emb)
    model = sim
    head_before = {k: v.clone() for k, v in model.projection_head.state_dict().items()}
    load_checkpoint(model, data)
    torch.testing.assert_close(model.projection_head.state_dict(), head_before)
    torch.testing.assert_close(_ours(model.embedding_model()), _ours(emb))


def _bytes(obj: object) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_mismatches_raise_value_error_naming_keys(
    ref7: _SimCLR, emb: EmbeddingModel, sim: SimCLRModel
) -> None:
    ckpt = save_checkpoint(sim)
    with pytest.raises(ValueError, match=r"7\.weight.*num_ftrs=32 \(configured 64\)"):
        load_checkpoint(build_embedding_model(ModelSpec(num_ftrs=64)), ckpt)

    sd = dict(ref7.state_dict())
    missing = {k: v for k, v in sd.items() if not k.startswith("backbone.6.1.")}
    with pytest.raises(ValueError, match=r"missing backbone keys \['6\.1\.bn1\.bias'"):
        load_checkpoint(emb, _bytes(missing))

    extra = {**sd, "backbone.9.weight": torch.zeros(1)}
    with pytest.raises(ValueError, match=r"unexpected backbone keys \['9\.weight'\]"):
        load_checkpoint(emb, _bytes(extra))

    with pytest.raises(ValueError, match="missing backbone keys"):
        load_checkpoint(build_embedding_model(ModelSpec(name="resnet-34")), _bytes(sd))

    bad_head = {**sd, "projection_head.layers.2.weight": torch.zeros(64, 32)}
    with pytest.raises(ValueError, match=r"projection_head shape mismatches"):
        load_checkpoint(sim, _bytes(bad_head))
    load_checkpoint(emb, _bytes(bad_head))  # heads are not embedding's business

    with pytest.raises(ValueError, match="no lightly resnet-18 backbone"):
        load_checkpoint(emb, _bytes({"conv1.weight": torch.zeros(2)}))
    with pytest.raises(ValueError, match="not a state_dict"):
        load_checkpoint(emb, _bytes({"epoch": 3}))
    with pytest.raises(ValueError, match="weights-only"):
        load_checkpoint(emb, b"not a torch file")


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("pwned",))


def test_pickled_objects_are_refused(emb: EmbeddingModel) -> None:
    with pytest.raises(ValueError, match="weights-only"):
        load_checkpoint(emb, _bytes({"state_dict": {}, "x": _Evil()}))


def test_unknown_model_name_is_refused() -> None:
    with pytest.raises(ValueError, match="resnet-9"):
        ModelSpec.from_config(ModelConfig.model_construct(name="resnet-9"))  # type: ignore[arg-type]


def test_simclr_model_shares_backbone() -> None:
    model = build_simclr_model(seed=0)
    emb = model.embedding_model()
    assert emb.backbone is model.backbone
    assert isinstance(model, SimCLRModel)
