from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from badges_cms.blocks import SHOWN_BADGES, BodyBlock
from badges_cms.catalogue.issuer_directory import IssuerDirectory
from badges_cms.models import BadgeIndexPage, BadgePage
from badges_cms.models.pages import BadgeIndexChildRouting
from badges_cms.models.restrictions import OneQueryViewRestrictions


class HomePage(BadgeIndexChildRouting, OneQueryViewRestrictions, Page):
    """The association's landing page: a short introduction, the newest badges and the
    programmes that issue them."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    newest_badges_count = models.PositiveSmallIntegerField(
        _("newest badges to show"), default=4, help_text=_("0 hides the list.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("newest_badges_count"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def newest_badges(self):
        if not self.newest_badges_count:
            return []
        order = ("-first_published_at", "-pk")
        newest = BadgePage.objects.visible_below(self).order_by(*order)
        cards = BadgePage.objects.cards_of(newest[: self.newest_badges_count])
        return list(cards.order_by(*order))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        newest = self.newest_badges()
        index = BadgeIndexPage.objects.visible().child_of(self).first()
        context["newest_badges"] = newest
        # The body's badge cards and lists leave out the newest badges shown above them.
        context[SHOWN_BADGES] = {badge.pk for badge in newest}
        context["badge_index"] = index
        # Each division, office and programme with its badges, linking to its page.
        context["issuers"] = IssuerDirectory(index).units() if index is not None else []
        return context
