"""PNG thumbnails of the report's example images (for the selection-example plots)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from PIL import Image, ImageOps

from winnow_reporter.report.model import Report

__all__ = ["thumbnails_for"]

log = logging.getLogger(__name__)


def _thumbnail(data: bytes, size: int) -> bytes:
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (size, size))
        thumb = ImageOps.exif_transpose(img).convert("RGB")
        thumb.thumbnail((size, size))
        buf = io.BytesIO()
        thumb.save(buf, format="PNG")
        return buf.getvalue()


def thumbnails_for(
    report: Report,
    read: Callable[[str], bytes] | None,
    size: int = 256,
) -> dict[str, bytes]:
    """PNG thumbnails of the example pairs' images; unreadable ones are left out (and noted).

    The notes go to ``report.notes``.
    """
    pairs = report.general_information.selected_and_removed_image_examples
    names = sorted({p.selected_image for p in pairs} | {p.removed_image for p in pairs})
    out: dict[str, bytes] = {}
    if read is None:
        if names:
            report.notes.append("The input images were not reachable: no thumbnails.")
        return out
    missing = []
    for name in names:
        try:
            out[name] = _thumbnail(read(name), size)
        except Exception as exc:  # a thumbnail must never fail the report
            log.warning("no thumbnail for %s: %s", name, exc)
            missing.append(name)
    if missing:
        report.notes.append(
            f"{len(missing)} example image(s) could not be read for thumbnails: "
            + ", ".join(missing[:5])
        )
    return out
