"""Have the demo's stand-in for Credly issue a badge and POST the webhook Credly would send."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from badges_cms import conf
from badges_cms.credly.standin import ISSUE_PATH
from home.demo_credly import demo_templates

TIMEOUT = 10


def post_json(url, body):
    """POST ``body`` as JSON; the answer's text."""
    request = urllib.request.Request(  # noqa: S310 - the addresses are the stand-in's and the site's own
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return response.read().decode()


class Command(BaseCommand):
    help = (
        "Issue one badge of a demo template on the stand-in for Credly, then POST the webhook "
        "Credly would send to the site's /credly/webhook/: once the task worker has handled "
        "it, the badge's count on the site is one higher, without a full sync."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--badge",
            default=demo_templates()[0].slug,
            help="The demo badge's slug (default: %(default)s).",
        )
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="The site's address, where the webhook goes (default: %(default)s).",
        )

    def handle(self, *args, badge, site, **options):
        if not conf.get("BADGES_CMS_DEMO_FIGURES"):
            raise CommandError("Only the stand-in for Credly issues demo badges; Credly is set.")
        templates = {template.slug: template for template in demo_templates()}
        if badge not in templates:
            raise CommandError(f"No demo badge {badge!r}; choose one of: {', '.join(templates)}.")
        base = urlsplit(settings.CREDLY_API_BASE_URL)
        standin = f"{base.scheme}://{base.netloc}"
        try:
            answer = post_json(standin + ISSUE_PATH, {"template_id": templates[badge].template_id})
            event = json.loads(answer)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise CommandError(
                f"The stand-in for Credly does not answer at {standin} ({error}): is `make run` "
                f"running?"
            ) from error
        webhook = site.rstrip("/") + "/credly/webhook/"
        try:
            answer = post_json(webhook, event)
        except (urllib.error.URLError, OSError) as error:
            raise CommandError(f"The site does not answer at {webhook} ({error}).") from error
        self.stdout.write(
            f"Issued a badge of {templates[badge].name!r} (event {event['id']}) and sent its "
            f"webhook: the site answered {answer!r}. The task worker refreshes the count."
        )
