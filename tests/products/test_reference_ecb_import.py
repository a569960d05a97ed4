"""manage.py import_ecb_rates: ECB euro reference rates become rates per USD."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from products.models import ExchangeRate

pytestmark = pytest.mark.django_db

ECB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
  <Cube>
    <Cube time="2026-11-27">
      <Cube currency="USD" rate="1.0800"/>
      <Cube currency="JPY" rate="167.40"/>
      <Cube currency="GBP" rate="0.8370"/>
    </Cube>
    <Cube time="2026-11-26">
      <Cube currency="USD" rate="1.0750"/>
      <Cube currency="JPY" rate="166.00"/>
    </Cube>
  </Cube>
</gesmes:Envelope>
"""


def write(tmp_path, text, name="eurofxref.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def rate(currency, on):
    return ExchangeRate.objects.get(currency=currency, date=on).rate_per_usd


def test_import_derives_rates_per_usd(tmp_path, capsys):
    call_command("import_ecb_rates", write(tmp_path, ECB_XML))
    day = date(2026, 11, 27)
    assert rate("USD", day) == D("1")
    assert rate("EUR", day) == D("0.92592593")  # 1 / 1.08
    assert rate("JPY", day) == D("155.00000000")  # 167.40 / 1.08
    assert rate("GBP", day) == D("0.77500000")  # 0.8370 / 1.08
    assert rate("EUR", date(2026, 11, 26)) == D("0.93023256")  # 1 / 1.075
    assert ExchangeRate.objects.count() == 7
    assert "7 created" in capsys.readouterr().out


def test_import_is_idempotent(tmp_path, capsys):
    path = write(tmp_path, ECB_XML)
    call_command("import_ecb_rates", path)
    call_command("import_ecb_rates", path)
    assert ExchangeRate.objects.count() == 7
    assert "0 created, 0 updated, 7 unchanged" in capsys.readouterr().out


def test_import_only_the_currencies_asked_for(tmp_path):
    call_command("import_ecb_rates", write(tmp_path, ECB_XML), currencies="eur,jpy")
    assert set(ExchangeRate.objects.values_list("currency", flat=True)) == {"EUR", "JPY"}


@pytest.mark.parametrize(
    "text",
    [
        "not xml at all",
        "<html><body>Maintenance</body></html>",
        ECB_XML.replace('<Cube currency="USD" rate="1.0800"/>', ""),  # no USD: cannot derive
        ECB_XML.replace('rate="167.40"', 'rate="abc"'),
        ECB_XML.replace('rate="167.40"', 'rate="-1"'),
        ECB_XML.replace('time="2026-11-27"', 'time="27/11/2026"'),
        ECB_XML.replace("<Cube time", "<Day time").replace(
            "</Cube>\n    <Cube time", "</Day>\n    <Day time"
        ),
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><gesmes:Envelope xmlns:gesmes="g">&a;</gesmes:Envelope>',
    ],
)
def test_a_bad_file_fails_clearly_and_saves_nothing(tmp_path, text):
    with pytest.raises(CommandError):
        call_command("import_ecb_rates", write(tmp_path, text))
    assert not ExchangeRate.objects.exists()


def test_a_missing_file_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_ecb_rates", str(tmp_path / "nope.xml"))


def test_bad_file_exits_non_zero(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [sys.executable, "manage.py", "import_ecb_rates", write(tmp_path, "garbage")],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "mgtrade.settings.test", "PATH": ""},
        check=False,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "Not well-formed XML" in result.stderr
