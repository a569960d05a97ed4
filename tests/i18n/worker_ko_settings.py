"""A worker whose own default language is Korean (tests/i18n/test_worker_languages.py): the
sends it processes must still come out in their own languages."""

from mgtrade.settings.local import *  # noqa: F403

LANGUAGE_CODE = "ko"

print(f"worker default language: {LANGUAGE_CODE}", flush=True)  # the test checks the log
