"""badges_cms: a Wagtail plugin that gives an association's Credly badges a home on its site."""

__version__ = "0.1.0"
