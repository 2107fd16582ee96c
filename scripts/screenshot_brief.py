"""Take the pictures of the HTML brief in docs/images/ with headless Chromium, from the bundled data.

Usage: python scripts/screenshot_brief.py   (needs `syriabrief` installed and Debian's `chromium`)

Writes docs/images/brief-desktop.png (1000 pixels wide) and brief-phone.png (390, a
phone's width), each the top of the page: the summary and the map. The brief is
the bundled dataset's as of 24 February 2026, as in the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
AS_OF = "2026-02-24"
SHOTS = {"brief-desktop.png": (1000, 1450), "brief-phone.png": (390, 1500)}


def main() -> int:
    browser = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
    if browser is None:
        print("needs Chromium: apt-get install chromium", file=sys.stderr)
        return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("SYRIABRIEF_DB", "SYRIABRIEF_BUNDLED")}
    with tempfile.TemporaryDirectory() as scratch:
        env["XDG_DATA_HOME"] = scratch  # the bundled data only, never the user's own store
        page = Path(scratch) / "brief.html"
        subprocess.run(["syriabrief", "brief", "--as-of", AS_OF, "--html", "-o", str(page)], env=env, check=True)
        for name, (width, height) in SHOTS.items():
            subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                 f"--screenshot={IMAGES / name}", f"--window-size={width},{height}", page.as_uri()],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            print(f"wrote {(IMAGES / name).relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
