"""Stored documents go through Django's storage API only, so any host can read them from
the object store (docs/deploy.md, "Static and media files")."""

import re
from pathlib import Path
from unittest import mock

import environ

from mgtrade.settings.base import document_storage

ROOT = Path(__file__).resolve().parents[1]
APPS = ["customers", "mgtrade", "orders", "pricing", "products", "quotes"]
# A file system path of a stored file: FieldFile.path, Storage.path(), default_storage.path().
PATH_USE = re.compile(r"\b(pdf|file|document|fieldfile|stored|storage|default_storage)\.path\b")


def test_no_code_uses_a_file_system_path_for_a_stored_document():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PATH_USE.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_local_disk_unless_a_bucket_is_configured():
    with mock.patch.dict("os.environ", {}, clear=True):
        assert document_storage(environ.Env()) == {
            "BACKEND": "django.core.files.storage.FileSystemStorage"
        }
    variables = {
        "MGTRADE_S3_BUCKET": "mgtrade-documents",
        "MGTRADE_S3_ENDPOINT_URL": "https://minio.internal:9000",
        "MGTRADE_S3_REGION": "eu-central-1",
        "MGTRADE_S3_ADDRESSING_STYLE": "path",
    }
    with mock.patch.dict("os.environ", variables, clear=True):
        storage = document_storage(environ.Env())
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "mgtrade-documents"
    assert options["endpoint_url"] == "https://minio.internal:9000"
    assert options["addressing_style"] == "path"
    assert options["access_key"] is None  # boto3's own credential chain
    assert options["default_acl"] is None and options["file_overwrite"] is False
