"""Screenshots of what the browser showed when a browser test failed, at a phone's width and a
desktop's, saved in test-artifacts/ (git-ignored) for whoever reads the failure."""

import re
from contextlib import contextmanager
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTHS = (375, 1280)
HEIGHT = 900


def save_screenshots(page, name):
    """Full-page PNGs of the current page at each width; returns their paths. The viewport is
    put back as it was."""
    ARTIFACTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    before = page.viewport_size
    paths = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            path = ARTIFACTS / f"{safe}-{width}px.png"
            page.screenshot(path=str(path), full_page=True, timeout=10_000)
            paths.append(path)
    finally:
        if before:
            page.set_viewport_size(before)
    return paths


@contextmanager
def screenshots_on_failure(page, name):
    """``with screenshots_on_failure(browser.page, "journey-editor"):`` saves screenshots when
    the block raises, names them in the error, and lets the error through."""
    try:
        yield
    except BaseException as error:
        try:
            paths = save_screenshots(page, name)
        except Exception as problem:  # a crashed page must not hide the real failure
            error.add_note(f"No screenshot could be taken: {problem}")
        else:
            error.add_note("Screenshots: " + ", ".join(str(path) for path in paths))
        raise
