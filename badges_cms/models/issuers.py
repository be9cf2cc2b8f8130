"""Who issues badges: the association's divisions, offices and programmes, kept as snippets."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index


class BadgeIssuer(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        CENTER = "center", _("Center")
        DIVISION = "division", _("Division")
        OFFICE = "office", _("Office")
        PROGRAMME = "programme", _("Programme")

    name = models.CharField(_("name"), max_length=255, unique=True)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=64,
        unique=True,
        help_text=_("Used in addresses such as ?issuer=<slug>; keep it stable once published."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DIVISION)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    website = models.URLField(_("website"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("short description"), max_length=600, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("acronym")]),
        FieldRowPanel([FieldPanel("slug"), FieldPanel("kind")]),
        FieldPanel("parent"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("website"), FieldPanel("contact_email"), FieldPanel("logo")],
            heading=_("Contact and logo"),
        ),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("acronym"),
        index.AutocompleteField("name"),
        index.SearchField("description"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("badge issuer")
        verbose_name_plural = _("badge issuers")

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self):
        return self.acronym or self.name
