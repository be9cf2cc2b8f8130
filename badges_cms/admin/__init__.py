"""The staff side of the plugin in the Wagtail admin: listings, the dashboard panel, Sync now,
the issuance report and the Credly settings screen. wagtail_hooks.py registers them.

Django's admin autodiscovery imports this package (it looks for ``<app>.admin``), so it stays
empty: the modules inside are imported by wagtail_hooks.py only.
"""
