"""Reusable step-by-step guides, such as how an earner accepts and shares a badge on Credly."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index


class GuideStepBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, label=_("Step"))
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul"], label=_("Details"))

    class Meta:
        icon = "list-ol"
        label = _("Step")


class StepGuide(index.Indexed, models.Model):
    """A titled list of numbered steps, placed on badge pages and, through a block, anywhere."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    steps = StreamField([("step", GuideStepBlock())], verbose_name=_("steps"), min_num=1)

    panels = [FieldPanel("title"), FieldPanel("slug"), FieldPanel("intro"), FieldPanel("steps")]
    search_fields = [index.SearchField("title"), index.SearchField("intro")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("step-by-step guide")
        verbose_name_plural = _("step-by-step guides")

    def __str__(self):
        return self.title
