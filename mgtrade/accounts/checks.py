"""Start-up checks: warn loudly when the machine lacks what fast PDF rendering needs."""

import ctypes.util

from django.core.checks import Warning, register


@register()
def harfbuzz_subset_check(app_configs, **kwargs):
    if ctypes.util.find_library("harfbuzz-subset"):
        return []
    return [
        Warning(
            "libharfbuzz-subset0 is not installed: WeasyPrint falls back to fontTools and "
            "renders PDFs about 3x slower.",
            hint="apt-get install libharfbuzz-subset0 (make run / make test do this as root).",
            id="mgtrade.W001",
        )
    ]
