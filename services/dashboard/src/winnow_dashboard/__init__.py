"""The dashboard's pages: static HTML, CSS and ES modules that talk to the API (same origin).

Nothing here runs on the server but file serving: the API mounts ``STATIC_DIR`` and serves
``INDEX_HTML`` at ``/dashboard/``. No build step, no CDN: every file the page loads is here.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
INDEX_HTML = STATIC_DIR / "index.html"
