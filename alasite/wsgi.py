"""WSGI entry point; gunicorn runs ``alasite.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

from badges_cms.page_cache import CachedPagesWSGI

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alasite.settings.dev")

# Pages held by the whole-page cache are answered before Django builds a request
# (badges_cms/page_cache.py); everything else goes on to Django as usual.
application = CachedPagesWSGI(get_wsgi_application())
