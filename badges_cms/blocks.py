"""StreamField blocks for badge pages, badge indexes and the site's other pages."""

from django import forms
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from . import conf
from .catalogue.listing import DEFAULT_SORT, BadgeFilters
from .credly.embed import CREDLY_ORIGIN, MESSAGES, badge_url, embedded_badge_url, parse_badge_id

BODY_RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"]
# A page that shows badge cards of its own before its body (a home page's newest badges) puts
# their ids in its context under this name, as a set: the body's badge cards and lists then
# leave those out, and add the ones they show, so that no card appears twice on the page.
SHOWN_BADGES = "badges_cms_shown_badge_ids"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(required=False, max_length=255, label=_("Attribution"))

    class Meta:
        icon = "openquote"
        template = "badges_cms/blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, label=_("Heading"))
    text = blocks.TextBlock(required=False, label=_("Text"))
    link_label = blocks.CharBlock(max_length=60, label=_("Button label"))
    page = blocks.PageChooserBlock(required=False, label=_("Link to a page"))
    url = blocks.URLBlock(required=False, label=_("…or to an address"))

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "badges_cms/blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "url": blocks.BlockValidationError(
                        _("Choose a page or enter an address: exactly one of the two.")
                    )
                }
            )
        return value


# Credly badge embeds


# (width, height) in CSS pixels; Credly's own embed code uses 150 × 270.
EMBED_SIZES = {"standard": (150, 270), "large": (300, 540)}


def embed_mode():
    mode = conf.get("BADGES_CMS_CREDLY_EMBED_MODE")
    if mode not in conf.EMBED_MODES:
        modes = ", ".join(conf.EMBED_MODES)
        raise ImproperlyConfigured(
            f"BADGES_CMS_CREDLY_EMBED_MODE must be one of {modes}, not {mode!r}."
        )
    return mode


class CredlyBadgeIdField(forms.CharField):
    """Takes whatever the editor pastes and cleans it to the badge's UUID, so the editor sees
    the stored id in place of the snippet once the page is saved."""

    default_error_messages = {"required": MESSAGES["empty"]}

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:  # a draft saved before the badge was pasted
            return ""
        return parse_badge_id(value)


class CredlyBadgeIdBlock(blocks.FieldBlock):
    def __init__(self, required=True, help_text=None, **kwargs):
        self.field_options = {"required": required, "help_text": help_text}
        super().__init__(**kwargs)

    @cached_property
    def field(self):
        # Imported here, as TextBlock does: the admin's widgets need the apps to be loaded.
        from wagtail.admin.widgets import AdminAutoHeightTextInput

        return CredlyBadgeIdField(
            widget=AdminAutoHeightTextInput(attrs={"rows": 2}), **self.field_options
        )

    class Meta:
        icon = "code"


class CredlyBadgeEmbedValue(blocks.StructValue):
    @property
    def dimensions(self):
        return EMBED_SIZES.get(self.get("size"), EMBED_SIZES["standard"])

    @property
    def width(self):
        return self.dimensions[0]

    @property
    def height(self):
        return self.dimensions[1]

    @property
    def share_host(self):
        return CREDLY_ORIGIN

    @property
    def badge_url(self):
        return badge_url(self["badge_id"])

    @property
    def embedded_badge_url(self):
        return embedded_badge_url(self["badge_id"])

    @property
    def title(self):
        """The iframe's accessible name: screen readers announce it before its content."""
        if self.get("caption"):
            return _("%(caption)s: a digital badge on Credly") % {"caption": self["caption"]}
        return _("A digital badge on Credly")


class CredlyBadgeEmbedBlock(blocks.StructBlock):
    """An earner's badge as Credly shows it. Editors paste Credly's embed code, the badge's
    address or its id; only the validated id is stored, and the markup is this block's own."""

    badge_id = CredlyBadgeIdBlock(
        label=_("Credly badge"),
        help_text=_(
            "Paste the embed code Credly gives the earner (Share, then Embed), the address of "
            "the badge's page on Credly (https://www.credly.com/badges/…) or its id. Only the "
            "badge's id is kept."
        ),
    )
    size = blocks.ChoiceBlock(
        choices=[
            ("standard", _("Standard (150 × 270)")),
            ("large", _("Large (300 × 540)")),
        ],
        default="standard",
        label=_("Size"),
    )
    caption = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Caption or earner's name"),
        help_text=_("Shown under the badge, and read out to people using screen readers."),
    )

    class Meta:
        icon = "success"
        label = _("Credly badge")
        description = _("An earned badge as Credly displays it, with a link to verify it.")
        template = "badges_cms/blocks/credly_badge_embed.html"
        value_class = CredlyBadgeEmbedValue

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        # Read here, not in the template, whose {% if %} would swallow a configuration error.
        context["mode"] = embed_mode()
        return context


# The catalogue in other pages' bodies


# Blocks are part of the page models' fields (and of their migrations): they find the models
# in Django's app registry when they render, instead of importing the models that import them.


def badge_pages_for(request):
    """Visible badges of the site the request is for (of any site without a request)."""
    return apps.get_model("badges_cms", "BadgePage").objects.visible_for(request)


def badge_index_for(request):
    indexes = apps.get_model("badges_cms", "BadgeIndexPage").objects
    return indexes.visible_for(request).order_by("path").first()


def skill_choices():
    """Every skill, for the badge list's skill filter; called each time the editor loads."""
    skills = apps.get_model("badges_cms", "BadgeSkill").objects
    return list(skills.order_by("name").values_list("slug", "name"))


class BadgeCardBlock(blocks.StructBlock):
    badge = blocks.PageChooserBlock(page_type="badges_cms.BadgePage", label=_("Badge"))

    class Meta:
        icon = "doc-full"
        label = _("Badge card")
        description = _("One badge from the catalogue, as it appears in badge listings.")
        template = "badges_cms/blocks/badge_card.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        chosen = value.get("badge")
        shown = context.get(SHOWN_BADGES)
        if chosen is None or (shown is not None and chosen.pk in shown):
            context["badge"] = None  # already a card higher up the page
            return context
        badges = badge_pages_for(context.get("request"))
        # Unpublished or private badges are not shown; the card reads the same data as listings.
        context["badge"] = badges.filter(pk=chosen.pk).for_cards().first()
        if shown is not None and context["badge"] is not None:
            shown.add(chosen.pk)
        return context


class BadgeListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120, label=_("Heading"))
    issuer = SnippetChooserBlock(
        "badges_cms.BadgeIssuer",
        required=False,
        label=_("Issuer"),
        help_text=_("Only this issuer's badges; leave empty for every issuer."),
    )
    skill = blocks.ChoiceBlock(
        choices=skill_choices,
        required=False,
        label=_("Skill"),
        help_text=_("Only badges for this skill; leave empty for every skill."),
    )
    order = blocks.ChoiceBlock(
        choices=[("newest", _("Newest first")), ("issued", _("Most issued first"))],
        default="newest",
        label=_("Order"),
    )
    limit = blocks.IntegerBlock(default=6, min_value=1, max_value=24, label=_("How many"))

    class Meta:
        icon = "list-ul"
        label = _("Badge list")
        description = _("Badges from one issuer or for one skill, newest or most issued first.")
        template = "badges_cms/blocks/badge_list.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        request = context.get("request")
        issuer = value.get("issuer")
        order = value.get("order") or DEFAULT_SORT
        # The index's own filters and orderings, so the list agrees with the index's "See all".
        filters = BadgeFilters(
            issuer=issuer.slug if issuer is not None else "",
            skill=value.get("skill") or "",
            sort=order,
            sort_given=order != DEFAULT_SORT,
        )
        limit = value.get("limit") or 6
        queryset = filters.apply(badge_pages_for(request))
        shown = context.get(SHOWN_BADGES)
        if shown:
            # Not the cards higher up the page: the next ones in the list's order instead.
            queryset = queryset.exclude(pk__in=list(shown))
        # One row more than shown tells whether there are more, without a count query.
        badges = list(filters.cards(filters.ordered(queryset)[: limit + 1]))
        if shown is not None:
            shown.update(badge.pk for badge in badges[:limit])
        context.update(
            badges=badges[:limit],
            index_page=badge_index_for(request) if len(badges) > limit else None,
            filter_query=filters.as_query(),
        )
        return context


class HowToAcceptBlock(blocks.StructBlock):
    guide = SnippetChooserBlock(
        "badges_cms.StepGuide",
        label=_("Steps"),
        help_text=_("The catalogue's “How to accept and share your badge”, or other steps."),
    )

    class Meta:
        icon = "list-ol"
        label = _("How to accept a badge")
        description = _("A step-by-step guide, such as how earners accept and share a badge.")
        template = "badges_cms/blocks/how_to_accept.html"


class BodyBlock(blocks.StreamBlock):
    """The content blocks every page body offers."""

    paragraph = blocks.RichTextBlock(features=BODY_RICH_TEXT_FEATURES, label=_("Paragraph"))
    image = ImageBlock(label=_("Image"))
    quote = QuoteBlock(label=_("Quote"))
    call_to_action = CallToActionBlock()
    credly_badge = CredlyBadgeEmbedBlock()
    badge_card = BadgeCardBlock()
    badge_list = BadgeListBlock()
    how_to_accept = HowToAcceptBlock()

    class Meta:
        block_counts = {}
