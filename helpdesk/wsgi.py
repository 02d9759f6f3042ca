import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
application = get_wsgi_application()

# What is loaded now lives as long as the process. Frozen out of the collector's
# reach, the full collections that come every few dozen requests no longer walk
# all of Django (a 100 ms stall each), and pages shared after a fork stay shared.
import helpdesk.urls  # noqa: E402, F401 - every view, loaded before the freeze

gc.freeze()
