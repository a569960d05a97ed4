"""A quote, its e-mail and the buyer's page in the buyer's language (docs/i18n.md)."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from quotes.documents.context import document_render, quote_pdf_context
from quotes.models import QuoteDelivery, QuoteEmail
from quotes.public.links import acceptance_token
from quotes.sending import services as delivery_services
from quotes.tasks import quote_email_task, quote_render_pdf_task
from quotes.templatetags.amounts import money
from tests.quotes.sending import pdf_text, sendable_draft

# A heading of the PDF, the word for "quotation" in the subject, the e-mail's "Kind regards".
EXPECTED = {
    "de": ("Zahlungsbedingungen", "Angebot", "Mit freundlichen Grüßen"),
    "ja": ("見積書", "見積書", "よろしくお願いいたします。"),
    "ko": ("견적서", "견적서", "감사합니다."),
    "tr": ("Teklif", "Teklif", "Saygılarımızla,"),
    "pt-br": ("Cotação", "Cotação", "Atenciosamente,"),
    "zh-hans": ("报价单", "报价单", "此致敬礼"),
}
PDF_HEADINGS = {
    "de": ["Angebot", "Käufer", "Positionen", "Gültig bis", "Einfuhrabgaben"],
    "ja": ["見積書", "買主", "明細", "有効期限"],
    "ko": ["견적서", "구매자", "품목", "유효 기한"],
    "tr": ["Teklif", "Alıcı", "Kalemler", "Geçerlilik tarihi"],
    "pt-br": ["Cotação", "Comprador", "Itens", "Válida até"],
    "zh-hans": ["报价单", "买方", "明细", "有效期至"],
}


@pytest.fixture
def draft(worked_example_data, rep, media_root):
    quote = sendable_draft(rep)
    quote.payment_terms = "30 % T/T"
    quote.save(update_fields=["payment_terms"])
    return quote


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", sorted(PDF_HEADINGS))
def test_the_quote_pdf_has_translated_headings_and_the_locales_number_format(draft, language):
    context = quote_pdf_context(draft, draft=False, language=language)
    text = flat(pdf_text(document_render(context, language=language)))
    for heading in PDF_HEADINGS[language]:
        assert heading in text, (language, heading)
    with translation.override(language):
        total = money(context["breakdown"]["quote_total"], "EUR")
    assert flat(total) in text
    assert "CIF" in text  # Incoterms are never translated
    assert "Page 1 of" not in text and re.search(r"\b1 ?/ ?\d", text)  # footer: no English


def test_the_country_of_origin_prints_in_the_buyers_language(draft):
    context = quote_pdf_context(draft, draft=False, language="ja")
    assert context["company"]["country_of_origin"] == "People's Republic of China"
    text = flat(pdf_text(document_render(context, language="ja")))
    assert "中華人民共和国" in text and "People's Republic of China" not in text


def test_numbers_follow_the_locale_in_the_pdf(draft):
    de = flat(pdf_text(document_render(quote_pdf_context(draft, language="de"), language="de")))
    en = flat(pdf_text(document_render(quote_pdf_context(draft, language="en"), language="en")))
    total = quote_pdf_context(draft, language="de")["breakdown"]["quote_total"]
    whole, cents = f"{total:.2f}".split(".")
    assert f"{int(whole):,}".replace(",", ".") + "," + cents + " €" in de  # 1.099,98 €
    assert f"EUR {int(whole):,}.{cents}" in en  # the house format in English


def test_a_japanese_pdf_of_a_jpy_quote_prints_whole_yen(worked_example_data, rep, media_root):
    from datetime import date

    from products.models import ExchangeRate
    from tests.quotes.factories import german_buyer, quote_for

    ExchangeRate.objects.create(currency="JPY", rate_per_usd="150", date=date(2020, 1, 1))
    quote = quote_for(customer=german_buyer(owner=rep, name="Tokyo Keikinzoku KK"), currency="JPY")
    context = quote_pdf_context(quote, language="ja")
    text = flat(pdf_text(document_render(context, language="ja")))
    total = context["breakdown"]["quote_total"]
    assert f"￥{int(Decimal(total)):,}" in text


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_send_email_subject_and_body_are_in_the_chosen_language(
    draft, rep, language, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = delivery_services.quote_send(quote=draft, by=rep, language=language)
    assert delivery.language == language
    (sent,) = mail.outbox
    _heading, word, regards = EXPECTED[language]
    assert word in sent.subject and "CIF Hamburg" in sent.subject
    assert regards in sent.body and regards in sent.alternatives[0][0]
    assert f'<html lang="{language}">' in sent.alternatives[0][0]
    assert "Thank you for your enquiry" not in sent.body


def test_a_revised_version_is_worded_as_a_revision(draft, rep, django_capture_on_commit_callbacks):
    from quotes.services import quote_revise

    with django_capture_on_commit_callbacks(execute=True):
        delivery_services.quote_send(quote=draft, by=rep, language="en")
    revised = quote_revise(quote=draft, by=rep)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_services.quote_send(quote=revised, by=rep, language="de")
    (sent,) = mail.outbox
    assert sent.subject.startswith("Überarbeitetes Angebot")
    assert "überarbeitetes Angebot" in sent.body and "ersetzt die vorherige Version" in sent.body


def test_two_sends_in_two_languages_in_one_process_whose_language_is_a_third(
    worked_example_data, rep, media_root, settings
):
    """The tasks take the language as an argument and override it: the process's ambient
    language (Korean here, as a worker started with another default) never leaks in."""
    settings.CELERY_TASK_ALWAYS_EAGER = False  # queue nothing: the tasks are run by hand
    german = sendable_draft(rep, name="Elbtal Aerostruktur AG")
    turkish = sendable_draft(rep, name="Anadolu Döküm A.Ş.")
    from unittest import mock

    with mock.patch("quotes.sending.enqueue.queue_task") as publish:
        one = delivery_services.quote_send(quote=german, by=rep, language="de")
        two = delivery_services.quote_send(quote=turkish, by=rep, language="tr")
    from django.db import connection

    connection.run_on_commit.clear() if hasattr(connection, "run_on_commit") else None
    publish.reset_mock()
    with translation.override("ko"), mock.patch("quotes.sending.enqueue.queue_task"):
        for delivery in (one, two):
            assert quote_render_pdf_task.apply(args=[delivery.pk, delivery.language]).get() == (
                "rendered"
            )
            assert quote_email_task.apply(args=[delivery.pk, delivery.language]).get() == "sent"
        assert translation.get_language() == "ko"
    by_subject = {m.subject.split()[0]: m for m in mail.outbox}
    assert set(by_subject) == {"Angebot", "Teklif"}
    for delivery, _word, heading in ((one, "Angebot", "Käufer"), (two, "Teklif", "Alıcı")):
        delivery.refresh_from_db()
        text = flat(pdf_text(delivery.pdf.open("rb").read()))
        assert heading in text and "견적서" not in text
        assert "Mit freundlichen Grüßen" in by_subject["Angebot"].body
        assert "Saygılarımızla" in by_subject["Teklif"].body
        assert QuoteEmail.objects.get(delivery=delivery).language == delivery.language


def test_the_api_takes_a_language_and_refuses_an_unknown_one(draft, rep_api):
    response = rep_api.post(f"/api/v1/quotes/{draft.pk}/send/", {"language": "xx"}, format="json")
    assert response.status_code == 400 and "language" in response.json()
    response = rep_api.post(f"/api/v1/quotes/{draft.pk}/send/", {"language": "ja"}, format="json")
    assert response.status_code == 202 and response.json()["language"] == "ja"
    assert QuoteDelivery.objects.get(quote=draft).language == "ja"


def test_the_dialog_offers_the_languages_defaulting_to_the_contacts(draft, rep_client):
    draft.contact.language = "de"
    draft.contact.save(update_fields=["language"])
    page = rep_client.get(f"/quotes/{draft.pk}/send/").content.decode()
    assert (
        '<option value="de" selected>German (Deutsch), the contact&#x27;s language</option>' in page
    )
    # Not edited: the message is written in the language chosen.
    response = rep_client.post(
        f"/quotes/{draft.pk}/send/",
        {
            "to": [draft.contact.pk],
            "message": delivery_services.quote_send_message_default(draft),
            "language": "pt-br",
        },
    )
    assert response.status_code == 302
    email = QuoteEmail.objects.get(quote=draft)
    assert email.language == "pt-br" and email.context["message"].startswith("Prezado(a)")
    assert email.subject.startswith("Cotação")


@pytest.fixture
def sent(draft, rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery_services.quote_send(quote=draft, by=rep, language="ja")
    draft.refresh_from_db()
    return draft


def test_the_public_page_is_in_the_sends_language_with_an_accessible_switch(sent, client):
    url = f"/q/{acceptance_token(sent)}/"
    page = client.get(url)
    html = page.content.decode()
    assert page["Content-Language"] == "ja" and '<html lang="ja">' in html
    assert "見積書を承諾する" in html and "辞退する" in html
    assert 'lang="de" hreflang="de">Deutsch</a>' in html
    assert 'hreflang="ja" aria-current="true">日本語</a>' in html

    german = client.get(url + "?lang=de").content.decode()
    assert '<html lang="de">' in german and "Angebot annehmen" in german
    assert 'hreflang="de" aria-current="true"' in german
    # An unknown language is ignored: the send's language.
    assert '<html lang="ja">' in client.get(url + "?lang=xx").content.decode()

    # Errors of the accept form in the page's language.
    response = client.post(url + "accept/?lang=de", {"name": "", "confirm": ""})
    body = response.content.decode()
    assert response.status_code == 400 and '<html lang="de">' in body
    assert "Kreuzen Sie das Kästchen an" in body


def test_bilingual_labels_are_set_through_the_api_and_print_english_beneath(draft, rep_api):
    response = rep_api.patch(
        f"/api/v1/quotes/{draft.pk}/", {"bilingual_labels": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["bilingual_labels"] is True
    draft.refresh_from_db()
    context = quote_pdf_context(draft, language="de")
    assert context["bilingual_labels"] is True
    text = flat(pdf_text(document_render(context, language="de")))
    for german, english in (("Käufer", "Buyer"), ("Zahlungsbedingungen", "Payment terms")):
        assert german in text and english in text
    # English documents never repeat their labels.
    assert quote_pdf_context(draft, language="en")["bilingual_labels"] is False
