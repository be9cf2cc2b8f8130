"""The HTTP cache in front (Varnish, or a CDN): the Cache-Control each response carries
(headers.py) and the purges that follow every change (purge.py), sent through
wagtail.contrib.frontend_cache."""
