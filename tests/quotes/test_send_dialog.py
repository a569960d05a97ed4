"""The Send dialog (issue 11): recipients from the customer's contacts (to and cc, opted-out
contacts refused), the message from the e-mail template editable for this send, a link to
the PDF; the API's send endpoint takes the same; the e-mail sent uses them."""

import pytest
from django.core import mail

from quotes.models import QuoteEmail, QuoteStatus
from quotes.sending import services as delivery_services
from tests.customers.factories import ContactFactory
from tests.quotes.sending import sendable_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(worked_example_data, rep, media_root):
    quote = sendable_draft(rep)
    rep.email = "li.wei@mgtrade.example"
    rep.save(update_fields=["email"])
    # These tests read the English wording; the languages of a send: tests/i18n/.
    quote.contact.language = "en"
    quote.contact.save(update_fields=["language"])
    return quote


@pytest.fixture
def colleague(draft):
    return ContactFactory(
        customer=draft.customer, name="Jonas Keller", email="jonas@example.de", is_primary=False
    )


@pytest.fixture
def opted_out(draft):
    return ContactFactory(
        customer=draft.customer,
        name="Petra Nein",
        email="petra@example.de",
        is_primary=False,
        email_opt_out=True,
    )


def send_url(quote):
    return f"/quotes/{quote.pk}/send/"


def test_the_dialog_offers_the_customers_contacts_the_template_message_and_the_pdf(
    draft, colleague, opted_out, rep_client
):
    ContactFactory(customer=draft.customer, name="No Mail", email="", is_primary=False)
    page = rep_client.get(send_url(draft), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="send-dialog-title"' in page and "<html" not in page
    assert "Jonas Keller &lt;jonas@example.de&gt;" in page
    assert "Petra Nein &lt;petra@example.de&gt;" in page and "opted out of email" in page
    assert "No Mail" not in page
    # The quote's contact is ticked in To; the message is the template's, addressed to them.
    assert f'value="{draft.contact.pk}" id="id_to_0" checked' in page
    assert f"Dear {draft.contact.name}," in page
    assert f"our quotation {draft.number} for {draft.customer.name}" in page
    # The language select defaults to the contact's, and says so.
    assert "English, the contact&#x27;s language" in page
    assert f'href="/quotes/{draft.pk}/pdf/"' in page and "(opens in a new tab)" in page


def test_without_javascript_the_dialog_is_a_page(draft, rep_client):
    response = rep_client.get(send_url(draft))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Send " in page and '<form method="post"' in page
    assert f'href="/quotes/{draft.pk}/"' in page  # Cancel: back to the quote


def test_the_quote_page_opens_the_dialog_instead_of_a_confirm_box(draft, rep_client):
    page = rep_client.get(f"/quotes/{draft.pk}/").content.decode()
    assert 'id="send-dialog"' in page and 'aria-haspopup="dialog"' in page
    assert f'hx-get="/quotes/{draft.pk}/send/"' in page
    assert "data-confirm" not in page.split('id="send-open"')[1].split(">")[0]


def test_sending_from_the_dialog_uses_the_recipients_and_the_edited_message(
    draft, colleague, rep_client, django_capture_on_commit_callbacks
):
    message = "Dear Anna, dear Jonas,\n\nAs discussed on the phone: our best price.\n\n<b>Li</b>"
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            send_url(draft),
            {"to": [draft.contact.pk], "cc": [colleague.pk], "message": message},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/quotes/{draft.pk}/"
    (sent,) = mail.outbox
    assert sent.to == [draft.contact.email]
    assert sent.cc == ["jonas@example.de", "li.wei@mgtrade.example"]
    assert sent.body.startswith(
        "Dear Anna, dear Jonas,\n\nAs discussed on the phone: our best price.\n\n<b>Li</b>"
    )
    assert "Thank you for your enquiry" not in sent.body
    assert f"Quotation {draft.number}, version 1" in sent.body  # the figures follow it
    html = sent.alternatives[0][0]
    assert "<p>As discussed on the phone: our best price.</p>" in html
    assert "&lt;b&gt;Li&lt;/b&gt;" in html  # the rep's text is escaped in the HTML part
    assert sent.attachments[0][0] == f"{draft.number}-v1.pdf"
    row = QuoteEmail.objects.get(kind=QuoteEmail.Kind.QUOTE)
    assert row.context["message"] == message


def test_several_recipients_in_to(draft, colleague, rep_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            send_url(draft),
            {"to": [draft.contact.pk, colleague.pk], "message": "Hello both."},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == f"/quotes/{draft.pk}/"
    assert f"is being sent to {draft.contact.email}, jonas@example.de" in response.content.decode()
    (sent,) = mail.outbox
    assert sent.to == [draft.contact.email, "jonas@example.de"]


def test_an_opted_out_contact_is_refused_with_a_clear_message(draft, opted_out, rep_client):
    for field in ("to", "cc"):
        data = {"to": [draft.contact.pk], "message": "Hello."}
        data[field] = [*data.get(field, []), opted_out.pk] if field == "to" else [opted_out.pk]
        response = rep_client.post(send_url(draft), data)
        page = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in page
        assert "Petra Nein has opted out of email and cannot receive quotes" in page
        assert f'id="id_{field}_error"' in page
    draft.refresh_from_db()
    assert draft.status == QuoteStatus.DRAFT
    assert not QuoteEmail.objects.exists()


def test_no_recipient_and_a_blank_message_are_field_errors(draft, rep_client):
    response = rep_client.post(send_url(draft), {"message": "  "}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "Choose at least one recipient." in page
    assert "Write the message of the e-mail." in page
    draft.refresh_from_db()
    assert draft.status == QuoteStatus.DRAFT


def test_a_contact_of_another_customer_is_not_a_choice(draft, rep_client, rep):
    stranger = ContactFactory(email="someone@elsewhere.example")
    response = rep_client.post(send_url(draft), {"to": [stranger.pk], "message": "Hi"})
    assert "Select a valid choice" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == QuoteStatus.DRAFT


def test_a_quote_that_cannot_be_sent_goes_back_to_its_page_with_the_reason(
    draft, rep, rep_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        delivery_services.quote_send(quote=draft, by=rep)
    response = rep_client.get(send_url(draft), follow=True)
    assert response.redirect_chain[-1][0] == f"/quotes/{draft.pk}/"
    assert "cannot be sent" in response.content.decode()


def test_other_reps_cannot_open_the_dialog(draft, client, other_rep):
    client.force_login(other_rep)
    assert client.get(send_url(draft)).status_code == 404


# ------------------------------------------------------------------ the API


def api_url(quote):
    return f"/api/v1/quotes/{quote.pk}/send/"


def test_api_send_with_recipients_and_message(
    draft, colleague, rep_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_api.post(
            api_url(draft),
            {"to": [colleague.pk], "cc": [draft.contact.pk], "message": "Per our call."},
            format="json",
        )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["to"] == ["jonas@example.de"]
    assert body["cc"] == [draft.contact.email, "li.wei@mgtrade.example"]
    (sent,) = mail.outbox
    assert sent.to == ["jonas@example.de"] and sent.body.startswith("Per our call.\n")


def test_api_send_without_a_body_uses_the_contact_and_the_template(
    draft, rep_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_api.post(api_url(draft), {}, format="json")
    assert response.status_code == 202
    (sent,) = mail.outbox
    assert sent.to == [draft.contact.email]
    # A first version with no buyer's reference: no "thank you for your enquiry".
    assert sent.body.startswith(
        f"Dear {draft.contact.name},\n\nPlease find attached our quotation {draft.number} for"
    )


def test_api_send_field_errors_are_400(draft, opted_out, rep_api):
    stranger = ContactFactory(email="someone@elsewhere.example")
    cases = [
        ({"to": [opted_out.pk]}, "to", "opted out of email"),
        ({"cc": [opted_out.pk]}, "cc", "opted out of email"),
        ({"to": [stranger.pk]}, "to", "not a contact of"),
        ({"to": []}, "to", "Choose at least one recipient."),
        ({"to": [draft.contact.pk], "cc": [draft.contact.pk]}, "cc", "already a recipient"),
        ({"message": ""}, "message", "Write the message"),
        ({"message": "x" * 5001}, "message", "at most 5,000 characters"),
        ({"to": "nope"}, "to", ""),
    ]
    for body, field, words in cases:
        response = rep_api.post(api_url(draft), body, format="json")
        assert response.status_code == 400, (body, response.json())
        assert field in response.json(), (body, response.json())
        assert words in " ".join(map(str, response.json()[field])), (body, response.json())
    draft.refresh_from_db()
    assert draft.status == QuoteStatus.DRAFT
