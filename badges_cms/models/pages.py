"""The catalogue: a BadgeIndexPage lists its BadgePage children, one page per badge."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalManyToManyField
from modelsearch.backends import get_search_backends
from modelsearch.tasks import insert_or_update_object_task
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager, Site
from wagtail.search import index

from .. import renditions as renditions_shown
from ..blocks import BodyBlock
from ..catalogue.forms import BadgePageForm
from ..catalogue.listing import SORTS, BadgeListing
from ..catalogue.routes import BadgeIndexRoutes, BadgePageRoutes
from ..opendata.api_fields import (
    IssuerField,
    IssuerListField,
    OpenBadgesLinksField,
    RichTextHTMLField,
    ShownTemplateIdField,
    SkillNamesField,
)
from ..opendata.api_fields import rendition_field as api_rendition
from ..sharing.image_operations import share_image_filter
from ..sharing.meta import badge_page_meta, index_page_meta
from .credly import CredlyBadgeTemplate
from .querysets import ALIAS_DEPTH, BadgePageQuerySet, VisiblePageQuerySet, shown_template_id
from .restrictions import OneQueryViewRestrictions
from .skills import TaggedBadgeSkill

CRITERIA_FEATURES = ["h3", "bold", "italic", "link", "ol", "ul"]
BadgePageManager = PageManager.from_queryset(BadgePageQuerySet)
BadgeIndexPageManager = PageManager.from_queryset(VisiblePageQuerySet)


class BadgeIndexPage(OneQueryViewRestrictions, BadgeIndexRoutes, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    accept_guide = models.ForeignKey(
        "badges_cms.StepGuide",
        verbose_name=_("how to accept and share"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The steps shown on every badge page below this one."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("accept_guide"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro"), APIField("body")]

    subpage_types = ["badges_cms.BadgePage"]
    template = "badges_cms/badge_index_page.html"

    objects = BadgeIndexPageManager()

    class Meta:
        verbose_name = _("badge index page")

    def route_to_child(self, slug):
        """The live-or-not badge page below this index with this slug, with everything its page
        shows on one row: its issuer, its image and its Credly figures (an alias's through its
        original). None when no badge page has the slug."""
        badges = BadgePage.objects.child_of(self).filter(slug=slug)
        badges = badges.select_related("issuer", "badge_image")
        badge = badges.with_figures(**BadgePage.TEMPLATE_FIELDS).first()
        if badge is not None:
            badge.index_page = self
        return badge

    def visible_badges(self):
        """The badges below this index that anyone may see (BadgePageQuerySet.visible)."""
        return BadgePage.objects.visible_below(self)

    def extend_page_meta(self, meta, request, context):
        """What the index says of itself to link previews and crawlers (sharing/meta.py)."""
        return index_page_meta(meta, self, request, context.get("badges"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        listing = BadgeListing(self, request.GET)
        context.update(listing=listing, badges=listing.page, filters=listing.filters, sorts=SORTS)
        return context


class BadgeIndexChildRouting:
    """For the page type badge indexes sit below (the reference site's home page): routes a
    request below a badge index in one query that brings the index's specific row and its step
    guide, which every badge page shows, where Wagtail's ``Page.route`` takes two (the child,
    then its specific row) and the guide a third. Anything else is routed by Wagtail."""

    def route(self, request, path_components):
        if path_components:
            indexes = BadgeIndexPage.objects.child_of(self).filter(slug=path_components[0])
            index = indexes.select_related("accept_guide").first()
            if index is not None:
                return index.route(request, path_components[1:])
        return super().route(request, path_components)


class BadgePage(OneQueryViewRestrictions, BadgePageRoutes, Page):
    class ActivityType(models.TextChoices):
        WEBINAR = "webinar", _("Webinar")
        COURSE = "course", _("Course")
        WORKSHOP = "workshop", _("Workshop")
        PROGRAMME = "programme", _("Programme")
        CONFERENCE = "conference", _("Conference")

    badge_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("badge image"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    badge_image_alt = models.CharField(
        _("badge image alt text"),
        max_length=255,
        help_text=_("Describe the badge image for people who cannot see it."),
    )
    issuer = models.ForeignKey(
        "badges_cms.BadgeIssuer",
        verbose_name=_("issuer"),
        null=True,
        on_delete=models.PROTECT,
        related_name="badge_pages",
    )
    partner_issuers = ParentalManyToManyField(
        "badges_cms.BadgeIssuer",
        verbose_name=_("partner issuers"),
        blank=True,
        related_name="partner_badge_pages",
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two plain sentences for listings, search results and link previews."),
    )
    credit = RichTextField(
        _("credit"),
        blank=True,
        features=CRITERIA_FEATURES,
        help_text=_("What earning this badge certifies."),
    )
    criteria = RichTextField(_("criteria"), features=CRITERIA_FEATURES)
    activity_type = models.CharField(
        _("activity type"), max_length=20, choices=ActivityType.choices, blank=True
    )
    activity_title = models.CharField(_("activity title"), max_length=255, blank=True)
    activity_url = models.URLField(_("activity address"), max_length=500, blank=True)
    activity_start = models.DateField(_("activity date (or first day)"), null=True, blank=True)
    activity_end = models.DateField(_("last day"), null=True, blank=True)
    skills = ClusterTaggableManager(
        through=TaggedBadgeSkill, blank=True, verbose_name=_("skills"), related_name="badge_pages"
    )
    earn_url = models.URLField(
        _("where to enrol"),
        max_length=500,
        blank=True,
        help_text=_("The page where people sign up for the activity that earns the badge."),
    )
    credly_template_id = models.UUIDField(
        _("Credly badge template id"),
        unique=True,
        null=True,
        blank=True,
        help_text=_("Links the page to its Credly template, whose figures the nightly sync keeps."),
    )
    launched = models.DateField(
        _("first issued"), null=True, blank=True, help_text=_("When the badge was first issued.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("badge_image"), FieldPanel("badge_image_alt")],
            heading=_("Badge image"),
        ),
        FieldRowPanel([FieldPanel("issuer"), FieldPanel("launched")]),
        FieldPanel("partner_issuers"),
        FieldPanel("credit"),
        FieldPanel("criteria"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("activity_type"), FieldPanel("activity_title")]),
                FieldPanel("activity_url"),
                FieldRowPanel([FieldPanel("activity_start"), FieldPanel("activity_end")]),
                FieldPanel("earn_url"),
            ],
            heading=_("Learning activity"),
        ),
        FieldPanel("skills"),
        FieldPanel("body"),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("credly_template_id")]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("credit"),
        index.SearchField("criteria"),
        index.SearchField("activity_title"),
        index.AutocompleteField("summary"),
        index.RelatedFields("issuer", [index.SearchField("name"), index.SearchField("acronym")]),
        index.RelatedFields("skills", [index.SearchField("name")]),
        index.FilterField("launched"),
    ]
    api_fields = [
        APIField("summary"),
        APIField("credit", serializer=RichTextHTMLField()),
        APIField("criteria", serializer=RichTextHTMLField()),
        APIField("launched"),
        APIField("earn_url"),
        APIField("credly_template_id", serializer=ShownTemplateIdField()),
        APIField("issued_count"),
        APIField("issuer", serializer=IssuerField()),
        APIField("partner_issuers", serializer=IssuerListField()),
        APIField("skills", serializer=SkillNamesField()),
        APIField("badge_image"),
        APIField("badge_image_alt"),
        APIField("badge_image_thumbnail", serializer=api_rendition("badge_image_thumbnail")),
        APIField("badge_image_png", serializer=api_rendition("badge_image_png")),
        APIField("share_image", serializer=api_rendition("share_image")),
        APIField("open_badges", serializer=OpenBadgesLinksField(source="*")),
    ]

    parent_page_types = ["badges_cms.BadgeIndexPage"]
    subpage_types = []
    base_form_class = BadgePageForm
    # The template id is unique: a copy of the page must be linked afresh by an editor (the
    # after_copy_page hook tells them so, see aliases.py). Wagtail's aliases do not honour this
    # list (it copies every field into them), so save() clears the id of an alias.
    exclude_fields_in_copy = ["credly_template_id"]
    template = "badges_cms/badge_page.html"

    objects = BadgePageManager()

    # The template fields a badge page reads from its figures (credly_template), annotated by
    # the query that routes to it (BadgeIndexPage.route_to_child).
    TEMPLATE_FIELDS = {"synced_at": "synced_at", "synced_url": "url", "synced_name": "name"}

    class Meta:
        verbose_name = _("badge page")

    def save(self, *args, **kwargs):
        if self.alias_of_id is not None:
            # Wagtail copies every field into an alias, when it creates one (CreatePageAliasAction)
            # and on each publish of the original (Page.update_aliases): the unique id stays with
            # the original, which the alias's figures follow (see credly_template).
            self.credly_template_id = None
        result = super().save(*args, **kwargs)
        # The search index is refreshed from post_save, which fires before modelcluster saves
        # child relations such as skills; ask again now that they are in the database (unless no
        # backend updates on save, when the task would load the page only to drop it).
        if getattr(self, "search_auto_update", True) and any(
            get_search_backends(with_auto_update=True)
        ):
            insert_or_update_object_task.enqueue(
                self._meta.app_label, self._meta.model_name, str(self.pk)
            )
        return result

    def clean(self):
        super().clean()
        errors = {}
        if self.activity_start and self.activity_end and self.activity_end < self.activity_start:
            errors["activity_end"] = _("The last day cannot come before the first.")
        if errors:
            raise ValidationError(errors)

    def original_template_ids(self):
        """For an alias: its original's template id (through aliases of aliases), as a query."""
        originals = BadgePage.objects.filter(pk=self.alias_of_id)
        return originals.values_list(shown_template_id(ALIAS_DEPTH - 1), flat=True)

    @property
    def shown_template_id(self):
        """The id of the Credly template whose figures the page shows (see credly_template)."""
        if "synced_template_id" in self.__dict__:  # annotated by listing queries
            return self.synced_template_id
        if self.credly_template_id is not None or self.alias_of_id is None:
            return self.credly_template_id
        return self.original_template_ids().first()

    @cached_property
    def credly_template(self):
        """The synced template whose figures the page shows: its own, or an alias's original's."""
        annotated = self.__dict__
        if all(name in annotated for name in self.TEMPLATE_FIELDS):
            # Routed here (BadgeIndexPage.route_to_child): the row came with the figures. A
            # template that was never synced has no row, and so no state.
            if self.synced_state is None:
                return None
            return CredlyBadgeTemplate.from_db(
                None,
                ["id", "name", "url", "state", "badges_count", "synced_at"],
                [
                    self.synced_template_id,
                    self.synced_name,
                    self.synced_url,
                    self.synced_state,
                    self.synced_badges_count,
                    self.synced_at,
                ],
            )
        templates = CredlyBadgeTemplate.objects
        is_alias = self.credly_template_id is None and self.alias_of_id is not None
        if is_alias and "synced_template_id" not in annotated:
            # One query for an alias too: its original's id is read inside it.
            return templates.filter(pk__in=self.original_template_ids()).first()
        template_id = self.shown_template_id
        return None if template_id is None else templates.filter(pk=template_id).first()

    @property
    def issued_count(self):
        """How many times Credly has issued this badge, as of the last sync; None before any."""
        if "synced_badges_count" in self.__dict__:  # annotated by listing queries
            return self.synced_badges_count
        template = self.credly_template
        return template.badges_count if template else None

    @property
    def is_retired(self):
        """True when Credly has archived the badge's template: it is no longer issued."""
        if "synced_state" in self.__dict__:
            return self.synced_state == CredlyBadgeTemplate.State.ARCHIVED
        template = self.credly_template
        return template is not None and template.state == CredlyBadgeTemplate.State.ARCHIVED

    def extend_page_meta(self, meta, request, context):
        """What the badge says of itself to link previews and crawlers (sharing/meta.py)."""
        return badge_page_meta(meta, self, request, pathway_places=context.get("pathway_places"))

    @cached_property
    def index_page(self):
        """The BadgeIndexPage this badge is listed on."""
        return self.get_parent().specific

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read once for the template, the link-preview tags and the JSON-LD: the skills (else
        # read twice) and the image with every rendition the page shows, served from this
        # prefetch: the image in badge_page.html, the link preview and the Open Badges PNG.
        # The image itself came with the page's row when the request was routed here
        # (BadgeIndexPage.route_to_child), so only its renditions are read.
        image = self.badge_image
        if image is not None:
            specs = [
                renditions_shown.BADGE_PAGE,
                share_image_filter(),
                renditions_shown.OPEN_BADGES_PNG,
            ]
            renditions = image.get_rendition_model().objects.filter(filter_spec__in=specs)
            prefetched = Prefetch("renditions", renditions, to_attr="prefetched_renditions")
            prefetch_related_objects([image], prefetched)
        prefetch_related_objects([self], "skills")
        context["index_page"] = self.index_page
        context["accept_guide"] = getattr(self.index_page, "accept_guide", None)
        # Its place in each published pathway: one query (PathwayBadge.objects.places_of).
        context["pathway_places"] = self.pathway_entries.model.objects.places_of(
            self, Site.find_for_request(request)
        )
        return context
