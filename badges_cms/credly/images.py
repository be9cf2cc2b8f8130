"""Badge images for imported drafts, fetched from Credly's image host after the sync commits.

The request carries no token (images are public), goes only to hosts on the allow-list, is
not redirected elsewhere, and its body is checked for type and size before Pillow reads it.
"""

import logging
from io import BytesIO
from urllib.parse import urlsplit

import requests
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from ..conf import credly_image_hosts

logger = logging.getLogger("badges_cms.credly")

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
TIMEOUT = (5, 20)


class ImageRejected(Exception):
    pass


def fetch_image(url, allowed_hosts):
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.scheme not in ("https", "http") or not ({host, netloc} & set(allowed_hosts)):
        raise ImageRejected(f"{host or url} is not in CREDLY_IMAGE_HOSTS")
    try:
        response = requests.get(url, timeout=TIMEOUT, stream=True, allow_redirects=False)
    except requests.RequestException as exc:
        raise ImageRejected(f"could not be downloaded ({type(exc).__name__})") from exc
    with response:
        if response.status_code != 200:
            raise ImageRejected(f"answered HTTP {response.status_code}")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in IMAGE_TYPES:
            raise ImageRejected(f"is {content_type or 'of no stated type'}, not an image")
        body = BytesIO()
        for chunk in response.iter_content(64 * 1024):
            body.write(chunk)
            if body.tell() > MAX_IMAGE_BYTES:
                raise ImageRejected(f"is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    try:
        with PILImage.open(BytesIO(body.getvalue())) as image:
            image.verify()
            kind = (image.format or "").lower()
    except Exception as exc:  # Pillow raises many types for broken files
        raise ImageRejected("is not a readable image") from exc
    if kind not in {"png", "jpeg", "gif", "webp"}:
        raise ImageRejected(f"is a {kind or 'unknown'} file")
    return body.getvalue(), IMAGE_TYPES[content_type]


def attach_template_images(pages, fetched):
    """Give each new draft its template's image; return one line per image that failed."""
    problems = []
    hosts = credly_image_hosts()
    for page in pages:
        data = fetched.get(page.credly_template_id)
        if data is None or not data.image_url:
            continue
        try:
            content, extension = fetch_image(data.image_url, hosts)
        except ImageRejected as exc:
            problems.append(f"{page.title}: the image at {data.image_url} {exc}")
            logger.warning("%s", problems[-1])
            continue
        image = get_image_model().objects.create(
            title=page.title,
            file=ImageFile(BytesIO(content), name=f"credly-{page.credly_template_id}.{extension}"),
        )
        draft = page.get_latest_revision_as_object()
        draft.badge_image = image
        draft.badge_image_alt = f"The {page.title} badge"
        draft.save_revision(clean=False)
        # The page row of a draft holds the same fields; keep it in step for listings.
        type(page).objects.filter(pk=page.pk).update(
            badge_image=image, badge_image_alt=draft.badge_image_alt
        )
    return problems
