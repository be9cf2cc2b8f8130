"""WSGI entry point; gunicorn runs ``alasite.wsgi:application``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alasite.settings.dev")

application = get_wsgi_application()

# Everything loaded so far (Django, Wagtail, the models, the URL patterns' modules: some 160,000
# objects) lives as long as the process. Frozen, the garbage collector no longer walks it in
# each of its full collections, which otherwise stall a request for a large part of its own
# time now and then. Under a server that forks after loading the app (gunicorn --preload),
# the children also stop writing to the memory pages they share with the parent.
gc.collect()
gc.freeze()
