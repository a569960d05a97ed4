import gc

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from mgtrade.startup import require_settings_module

require_settings_module()
application = get_wsgi_application()

# Import every view, serializer and what they use (the URLconf pulls them in) now rather
# than on the first request, then move everything loaded so far out of the collector's view
# (gc.freeze): it lives as long as the process, so full collections need only scan what
# requests leave behind. Without the imports, ~57,000 objects of the app and its libraries
# stayed in view and each full collection cost 40-60 ms in a 200-row list (bench/lists.py).
get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
gc.freeze()
