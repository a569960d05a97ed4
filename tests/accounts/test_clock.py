"""Times carry their zone: "23:13 CST" is ambiguous, "23:13 China Standard Time (UTC+8)" not."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import timezone

from mgtrade.accounts.clock import when

AT = datetime(2026, 11, 30, 15, 13, tzinfo=UTC)


def test_times_are_shown_with_the_zone_name_and_offset():
    assert when(AT, ZoneInfo("Asia/Shanghai")) == "2026-11-30 23:13 China Standard Time (UTC+8)"


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Berlin", "2026-11-30 16:13 Central European Time (UTC+1)"),
        ("America/New_York", "2026-11-30 10:13 Eastern Standard Time (UTC−5)"),
        ("Asia/Kolkata", "2026-11-30 20:43 India Standard Time (UTC+5:30)"),
        ("Pacific/Auckland", "2026-12-01 04:13 Pacific/Auckland (UTC+13)"),
    ],
)
def test_the_readers_zone_with_daylight_saving_and_half_hours(zone, expected):
    assert when(AT, ZoneInfo(zone)) == expected


def test_summer_time_is_named():
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert when(summer, ZoneInfo("Europe/Berlin")).endswith("Central European Summer Time (UTC+2)")


def test_template_filter_uses_the_current_zone(settings):
    template = engines["django"].from_string("{% load clock %}{{ at|when }}|{{ none|when }}")
    with timezone.override(ZoneInfo("Asia/Shanghai")):
        assert template.render({"at": AT, "none": None}) == (
            "2026-11-30 23:13 China Standard Time (UTC+8)|"
        )
