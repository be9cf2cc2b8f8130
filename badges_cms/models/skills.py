"""Skills a badge certifies: tags of their own, apart from any other tags the site uses."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from taggit.models import ItemBase, TagBase


class BadgeSkill(TagBase):
    """A skill a badge certifies; kept apart from any other tags the site uses."""

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]


class TaggedBadgeSkill(ItemBase):
    tag = models.ForeignKey(BadgeSkill, on_delete=models.CASCADE, related_name="tagged_badges")
    content_object = ParentalKey(
        "badges_cms.BadgePage", on_delete=models.CASCADE, related_name="tagged_skills"
    )
