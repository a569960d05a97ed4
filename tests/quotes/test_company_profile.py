"""The exporter's signature block managed by admins (quotes.documents.seller): the stamp
image uploaded in the admin, checked (PNG/JPEG, size), stored through the configured
storage and embedded in the quotation PDF; a sent quotation keeps the stamp it printed."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from quotes import demo
from quotes.documents.context import document_freeze, document_render, quote_pdf_context
from quotes.documents.pdf import render_template_pdf
from quotes.documents.seller import company_profile_get, company_profile_update
from quotes.models import CompanyProfile
from tests.quotes.factories import german_buyer, quote_for
from tests.quotes.test_pdf_render import one_line, pdf_text

pytestmark = pytest.mark.usefixtures("worked_example_data")


def image(kind: str = "PNG", size=(120, 120), colour=(200, 16, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def pdf_images(data: bytes) -> list[str]:
    """The distinct images in the PDF (pypdf; WeasyPrint shares resources between pages)."""
    reader = PdfReader(io.BytesIO(data))
    return sorted({img.name for page in reader.pages for img in page.images})


def render(quote) -> bytes:
    return render_template_pdf("pdf/quote.html", quote_pdf_context(quote))


@pytest.fixture
def memory_storage(settings):
    """Stored files in memory only: the stamp must be read through the storage API (as
    from S3), never from a path on disk."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_an_admin_uploads_the_stamp_and_the_quotation_prints_it(memory_storage, admin_client_, rep):
    quote = quote_for(customer=german_buyer(owner=rep))
    before = render(quote)
    assert len(pdf_images(before)) == 0  # no stamp yet: an empty box

    response = admin_client_.post(
        "/admin/quotes/companyprofile/add/",
        {
            "signatory_name": "Zhang Min",
            "signatory_title": "Export Sales Director",
            "stamp": SimpleUploadedFile("chop.png", image(), content_type="image/png"),
            "manufacturer": "Helan Magnesium Works",
            "country_of_origin": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = company_profile_get()
    assert profile.stamp.name.startswith("company/stamp/chop")
    assert profile.updated_by.username == "admin"

    data = render(quote)
    assert len(pdf_images(data)) == 1
    text = one_line(pdf_text(data))
    assert "Zhang Min, Export Sales Director" in text
    assert "Manufacturer Helan Magnesium Works" in text
    assert "Country of origin People's Republic of China" in text  # the settings' default


def test_without_a_signatory_the_rep_signs(memory_storage, rep):
    rep.title = "Sales Manager"
    rep.save()
    company_profile_update(by=None, stamp=image("JPEG"), stamp_name="stamp.jpg")
    text = one_line(pdf_text(render(quote_for(customer=german_buyer(owner=rep)))))
    assert "Li Wei, Sales Manager" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (image("GIF"), "PNG or JPEG"),
        (b"%PDF-1.7 not an image at all", "PNG or JPEG"),
        (image("PNG", size=(2400, 100)), "2000 px"),
        (b"\x89PNG" + b"0" * (300 * 1024), "at most 256 KB"),
    ],
)
def test_the_stamp_must_be_a_small_png_or_jpeg(memory_storage, admin_client_, data, message):
    with pytest.raises(ValidationError) as caught:
        company_profile_update(by=None, stamp=data, stamp_name="stamp.png")
    assert message in " ".join(caught.value.message_dict["stamp"])
    response = admin_client_.post(
        "/admin/quotes/companyprofile/add/",
        {"stamp": SimpleUploadedFile("stamp.png", data, content_type="image/png")},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not CompanyProfile.objects.exists()


def test_one_profile_only(memory_storage, admin_client_):
    company_profile_update(by=None, signatory_name="Zhang Min")
    assert admin_client_.get("/admin/quotes/companyprofile/add/").status_code == 403
    company_profile_update(by=None, signatory_title="Director")
    assert CompanyProfile.objects.get().signatory_name == "Zhang Min"


def test_a_sent_quotation_keeps_the_stamp_it_printed(memory_storage, rep):
    """The frozen document carries the image: a later stamp changes nothing issued."""
    company_profile_update(by=None, stamp=image(colour=(200, 16, 30)), stamp_name="old.png")
    quote = quote_for(customer=german_buyer(owner=rep))
    frozen = document_freeze(quote_pdf_context(quote, draft=False))
    assert frozen["company"]["stamp_data_uri"].startswith("data:image/png;base64,")
    issued = document_render(frozen)

    company_profile_update(by=None, stamp=image(colour=(0, 0, 160)), stamp_name="new.png")
    assert document_render(frozen) == issued
    fresh = document_freeze(quote_pdf_context(quote, draft=False))
    assert fresh["company"]["stamp_data_uri"] != frozen["company"]["stamp_data_uri"]


def test_a_missing_stamp_file_prints_the_empty_box(memory_storage, rep):
    profile = company_profile_update(by=None, stamp=image(), stamp_name="stamp.png")
    profile.stamp.storage.delete(profile.stamp.name)
    data = render(quote_for(customer=german_buyer(owner=rep)))
    assert pdf_images(data) == []


def test_the_demo_sets_a_stamp(memory_storage):
    demo.company_profile()
    demo.company_profile()  # idempotent
    profile = CompanyProfile.objects.get()
    assert profile.stamp.name.endswith(".png")
    with profile.stamp.open("rb") as handle:
        assert handle.read() == demo.DEMO_STAMP.read_bytes()
