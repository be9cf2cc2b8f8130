"""Link-preview images: the badge centred on a 1200x630 canvas.

LinkedIn, Facebook and X show link previews at about 1.91:1 and crop a square badge badly (the
round edge or the text falls off), so previews use a rendition in which the whole badge sits on
a plain background. It is an ordinary Wagtail rendition (a ``canvas-WxH-RRGGBB`` filter
operation registered in wagtail_hooks.py): generated once, stored beside the other renditions,
served from media with a stable URL and prefetchable like any other.
"""

from PIL import Image as PILImage
from wagtail.images.image_operations import FilterOperation
from wagtail.images.utils import parse_color_string
from willow.plugins.pillow import PillowImage

from .. import conf, renditions

SHARE_IMAGE_WIDTH = 1200
SHARE_IMAGE_HEIGHT = 630
# The badge fills at most this share of the canvas height, leaving a margin the networks'
# rounded corners and overlays never reach.
BADGE_SHARE_OF_HEIGHT = 0.8
# A small source image is enlarged at most this much; beyond it, it would only look blurred.
MAX_UPSCALE = 2.0
MAX_CANVAS_SIDE = 4000


class CanvasOperation(FilterOperation):
    """``canvas-1200x630-f4f1ea``: fit the image inside the canvas and centre it there.

    Transparent parts of the image show the canvas colour. Unlike ``fill-``, nothing of the
    image is cropped; unlike ``max-``, the result always has exactly the canvas size, which
    link previews need to declare ``og:image:width`` and ``og:image:height``.
    """

    def construct(self, size, color="ffffff"):
        width, height = size.split("x")
        self.width, self.height = int(width), int(height)
        if not (0 < self.width <= MAX_CANVAS_SIDE and 0 < self.height <= MAX_CANVAS_SIDE):
            raise ValueError(f"Canvas sides must be between 1 and {MAX_CANVAS_SIDE} pixels")
        self.color = parse_color_string(color)

    def run(self, willow, image, env):
        source = willow.get_pillow_image()
        # The margin the height leaves is kept on the sides too, for wide images.
        margin = round(self.height * (1 - BADGE_SHARE_OF_HEIGHT) / 2)
        box_width, box_height = self.width - 2 * margin, self.height - 2 * margin
        scale = min(box_width / source.width, box_height / source.height, MAX_UPSCALE)
        size = (max(1, round(source.width * scale)), max(1, round(source.height * scale)))
        badge = source.convert("RGBA").resize(size, PILImage.Resampling.LANCZOS)
        canvas = PILImage.new("RGB", (self.width, self.height), self.color)
        position = ((self.width - size[0]) // 2, (self.height - size[1]) // 2)
        canvas.paste(badge, position, mask=badge)
        return PillowImage(canvas)


def share_image_filter():
    """The filter spec of a badge's link-preview rendition. The background colour is part of
    the spec, so changing the setting makes new renditions instead of serving stale ones."""
    background = conf.get("BADGES_CMS_SHARE_IMAGE_BACKGROUND").lstrip("#").lower()
    return f"canvas-{SHARE_IMAGE_WIDTH}x{SHARE_IMAGE_HEIGHT}-{background}|format-png"


def share_rendition(image):
    """The badge's link-preview rendition, or None for an SVG (which Pillow cannot draw and
    the networks do not show) or an image whose file is missing."""
    if image is None or image.is_svg():
        return None
    try:
        return renditions.rendition(image, share_image_filter())
    except OSError:
        # A missing or unreadable original must not take the badge page down with it (a bad
        # colour setting, a ValueError, still fails loudly).
        return None
