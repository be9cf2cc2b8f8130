"""Build the ALA digital badges pilot's content: issuers, the accept-and-share guide, the home
page, the badge index and the five pilot badges.

Idempotent: everything is matched by a stable key (slug, Credly template id, image title) and
what already exists is left as it is, so a second run creates no pages, revisions, images or
snippets. The one exception: a page this command built before its body blocks existed gets the
demo blocks it lacks, once, unless an editor has touched it since. The content itself lives in
home/demo_content.py.

Before it returns, what it built is in the search index: saving a page only queues that update
for the task worker, and the site should be searchable before one runs. `--address HOST:PORT`
(which `make run` passes) gives the default Site the address the development server serves on,
so that the sitemap names the same host as the API and robots.txt.
"""

import argparse
import hashlib
from collections import defaultdict
from io import BytesIO

from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.search import index as search_index

from badges_cms.models import (
    BadgeIndexPage,
    BadgeIssuer,
    BadgePage,
    Pathway,
    PathwayBadge,
    StepGuide,
)
from home import demo_content as demo
from home import demo_feedback, demo_staff
from home.models import HomePage


def site_address(value):
    """The value of --address, HOST:PORT, as (hostname, port)."""
    hostname, _, port = value.rpartition(":")
    if not hostname or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{value!r} is not HOST:PORT, such as 127.0.0.1:8000.")
    return hostname.lower(), int(port)


class Command(BaseCommand):
    help = "Create the ALA digital badges pilot's demo content; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            metavar="HOST:PORT",
            type=site_address,
            help="The address the site is served on (development): the default Site gets its "
            "host name and port, which the sitemap's links use.",
        )

    def handle(self, *args, address=None, **options):
        self.tally = defaultdict(lambda: {"created": 0, "found": 0})
        self.notes = []

        with transaction.atomic():
            issuers = self.load_issuers()
        with transaction.atomic():
            guide = self.load_guide()
        with transaction.atomic():
            index = self.load_site_tree(guide, issuers)
        for spec in demo.BADGES:
            with transaction.atomic():
                self.load_badge(index, spec, issuers)
        with transaction.atomic():
            self.load_pathway(index, issuers)
        demo_feedback.load_feedback_page(self)
        self.notes.extend(demo_staff.load_staff(index))
        if address is not None:
            self.serve_default_site_at(*address)
        self.update_search_index(index.get_parent())

        for kind in ("issuers", "guides", "pages", "images", "blocks", "pathways"):
            counts = self.tally[kind]
            self.stdout.write(f"{kind}: {counts['created']} created, {counts['found']} found")
        for note in self.notes:
            self.stdout.write(note)
        created = sum(counts["created"] for counts in self.tally.values())
        message = "Demo content loaded." if created else "Demo content already present."
        self.stdout.write(self.style.SUCCESS(message))

    def count(self, kind, created, number=1):
        self.tally[kind]["created" if created else "found"] += number

    # Snippets

    def load_issuers(self):
        issuers = {}
        for spec in demo.ISSUERS:
            issuer = (
                BadgeIssuer.objects.filter(slug=spec.slug).first()
                # An editor may have created it by hand under another slug; names are unique.
                or BadgeIssuer.objects.filter(name=spec.name).first()
            )
            created = issuer is None
            if created:
                issuer = BadgeIssuer.objects.create(
                    slug=spec.slug,
                    name=spec.name,
                    acronym=spec.acronym,
                    kind=spec.kind,
                    parent=issuers.get(spec.parent),
                    website=spec.website,
                    contact_email=spec.contact_email,
                    description=spec.description,
                )
            self.count("issuers", created)
            issuers[spec.slug] = issuer
        return issuers

    def load_guide(self):
        guide = StepGuide.objects.filter(slug=demo.GUIDE_SLUG).first()
        created = guide is None
        if created:
            guide = StepGuide.objects.create(
                slug=demo.GUIDE_SLUG,
                title=demo.GUIDE_TITLE,
                intro=demo.GUIDE_INTRO,
                steps=demo.guide_steps(),
            )
        self.count("guides", created)
        return guide

    def load_pathway(self, index, issuers):
        """The ALCTS Fundamentals pathway, published, once: left alone when it exists (an
        editor may have changed it)."""
        created = not Pathway.objects.filter(slug=demo.PATHWAY_SLUG).exists()
        if created:
            slugs = [slug for slug, _required in demo.PATHWAY_BADGES]
            badges = {
                badge.slug: badge
                for badge in BadgePage.objects.child_of(index).filter(slug__in=slugs)
            }
            pathway = Pathway(
                slug=demo.PATHWAY_SLUG,
                title=demo.PATHWAY_TITLE,
                issuer=issuers.get(demo.PATHWAY_ISSUER_SLUG),
                description=demo.PATHWAY_DESCRIPTION,
                live=False,
            )
            pathway.entries = [
                PathwayBadge(badge=badges[slug], required=required, sort_order=number)
                for number, (slug, required) in enumerate(demo.PATHWAY_BADGES)
                if slug in badges
            ]
            pathway.save()
            pathway.save_revision().publish()
        self.count("pathways", created)

    # Pages

    def load_site_tree(self, guide, issuers):
        root = Page.get_first_root_node()
        if root is None:
            raise CommandError("The page tree has no root: run `manage.py migrate` first.")

        home = HomePage.objects.order_by("path").first()
        home_created = home is None
        if home_created:
            root = self.remove_welcome_page(root)
            slug = demo.HOME_SLUG
            if root.get_children().filter(slug=slug).exists():
                slug = "ala-digital-badges"
            home = root.add_child(
                instance=HomePage(title=demo.HOME_TITLE, slug=slug, intro=demo.HOME_INTRO)
            )
        self.count("pages", home_created)
        self.point_default_site_at(home)

        index = BadgeIndexPage.objects.child_of(home).filter(slug=demo.INDEX_SLUG).first()
        self.count("pages", index is None)
        index_body = demo.index_body(guide.pk)
        if index is None:
            index = home.add_child(
                instance=BadgeIndexPage(
                    title=demo.INDEX_TITLE,
                    slug=demo.INDEX_SLUG,
                    intro=demo.INDEX_INTRO,
                    accept_guide=guide,
                    show_in_menus=True,
                    body=index_body,
                )
            )
            index.save_revision().publish()
            self.count("blocks", True, len(index_body))
        else:
            self.add_missing_blocks(index, index_body)

        home_body = demo.home_body(index.pk, issuers[demo.HOME_LIST["issuer_slug"]].pk)
        if home_created:
            # The body links to the index, so it is written once the index exists. Fetch the
            # page afresh: publishing saves every column, tree counters included.
            home = HomePage.objects.get(pk=home.pk)
            home.body = home_body
            home.save_revision().publish()
            self.count("blocks", True, len(home_body))
        else:
            self.add_missing_blocks(home, home_body)
        return index

    def remove_welcome_page(self, root):
        """Delete Wagtail's "Welcome to your new Wagtail site!" page if nobody has touched it."""
        welcome = (
            root.get_children()
            .filter(
                content_type__app_label="wagtailcore",
                content_type__model="page",
                title=demo.WELCOME_PAGE_TITLE,
                numchild=0,
                latest_revision__isnull=True,
            )
            .first()
        )
        if welcome is None:
            return root
        # A Site is deleted with its root page: hand sites to the tree root until home exists.
        for site in Site.objects.filter(root_page=welcome):
            site.root_page = root
            site.save()
        welcome.delete()
        self.notes.append("Deleted Wagtail's default welcome page.")
        return Page.get_first_root_node()  # the deletion changed the root's child count

    def point_default_site_at(self, home):
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost",
                port=80,
                is_default_site=True,
                root_page=home,
                site_name=demo.SITE_NAME,
            )
            self.notes.append("Created the default site localhost:80 for the home page.")
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.site_name = site.site_name or demo.SITE_NAME
            site.save()
            self.notes.append(f"Pointed the default site {site.hostname}:{site.port} at home.")

    def serve_default_site_at(self, hostname, port):
        site = Site.objects.get(is_default_site=True)
        if (site.hostname, site.port) == (hostname, port):
            return
        if Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists():
            self.notes.append(
                f"Left the default site at {site.hostname}:{site.port}: another site has "
                f"{hostname}:{port}."
            )
            return
        site.hostname, site.port = hostname, port
        site.save()
        self.notes.append(f"The default site is now {hostname}:{port}, where it is served.")

    def update_search_index(self, home):
        """Index the demo's pages, snippets and images at once. Saving them queued the same
        updates as tasks, which the worker still runs (they change nothing then): without this,
        search would find nothing until it had."""
        objects = [
            *home.get_descendants(inclusive=True).specific(),
            *BadgeIssuer.objects.all(),
            *StepGuide.objects.filter(slug=demo.GUIDE_SLUG),
            *Pathway.objects.filter(slug=demo.PATHWAY_SLUG),
            *get_image_model().objects.filter(title__in=[spec.title for spec in demo.BADGES]),
        ]
        for instance in objects:
            if search_index.class_is_indexed(type(instance)):
                search_index.insert_or_update_object(instance)

    def load_badge(self, index, spec, issuers):
        page = None
        if spec.credly_template_id:
            page = BadgePage.objects.filter(credly_template_id=spec.credly_template_id).first()
        if page is None:
            page = BadgePage.objects.child_of(index).filter(slug=spec.slug).first()
        self.count("pages", page is None)
        related = BadgePage.objects.child_of(index).filter(slug=demo.RELATED_BADGE_SLUG).first()
        body = demo.badge_body(spec.slug, related.pk if related else None)
        if page is not None:
            if page.badge_image_id:
                self.count("images", False)
            self.add_missing_blocks(page, body)
            return page

        page = BadgePage(
            title=spec.title,
            slug=spec.slug,
            issuer=issuers[spec.issuer],
            summary=spec.summary,
            credit=spec.credit,
            criteria=spec.criteria,
            activity_type=spec.activity_type,
            activity_title=spec.activity_title,
            activity_url=spec.activity_url,
            activity_start=spec.activity_start,
            activity_end=spec.activity_end,
            launched=spec.launched,
            earn_url=spec.earn_url,
            credly_template_id=spec.credly_template_id,
            badge_image=self.get_or_create_image(spec),
            badge_image_alt=spec.image_alt,
            body=body,
        )
        page.partner_issuers.set([issuers[slug] for slug in spec.partners])
        page.skills.add(*spec.skills)
        page = index.add_child(instance=page)
        page.save_revision().publish()
        self.count("blocks", True, len(body))
        return page

    def add_missing_blocks(self, page, blocks):
        """Append the demo blocks whose type the page's body lacks, publishing once.

        Only for a page nobody has worked on since a script built it: live, with no unpublished
        changes, not locked, and no revision saved by a user. Otherwise an editor's version,
        including one that removed a demo block on purpose, wins over the demo's.
        """
        present = {child.block_type for child in page.body}
        missing = [block for block in blocks if block["type"] not in present]
        self.count("blocks", False, len(blocks) - len(missing))
        if not missing:
            return
        touched = (
            not page.live
            or page.has_unpublished_changes
            or page.locked
            or page.revisions.exclude(user=None).exists()
        )
        if touched:
            names = ", ".join(block["type"] for block in missing)
            self.notes.append(f"Left “{page.title}” as its editors saved it, without: {names}.")
            return
        page.body = [*page.body.raw_data, *missing]
        page.save_revision().publish()
        self.count("blocks", True, len(missing))

    def get_or_create_image(self, spec):
        image_model = get_image_model()
        image = image_model.objects.filter(title=spec.title).order_by("pk").first()
        self.count("images", image is None)
        if image is None:
            png = demo.render_badge_png(spec)
            image = image_model(
                title=spec.title,
                file=ImageFile(BytesIO(png), name=spec.image_filename),
                file_size=len(png),
                # What Wagtail would compute on upload; renditions are cached by this hash.
                file_hash=hashlib.sha1(png, usedforsecurity=False).hexdigest(),
            )
            if any(field.name == "description" for field in image_model._meta.fields):
                image.description = spec.image_alt
            image.save()
        return image
