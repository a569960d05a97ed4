"""The OpenAPI schema says what the API answers: nullable where null is returned, and the
error answers of docs/api.md on every operation."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(rep_client):
    return rep_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def test_fields_that_can_be_null_are_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["Quote"]["properties"]["rejection_reason"]["nullable"] is True
    assert components["QuoteList"]["properties"]["rejection_reason"]["nullable"] is True
    assert components["ProductPrice"]["properties"]["created_by"]["nullable"] is True
    assert components["TariffRule"]["properties"]["verified_by"]["nullable"] is True


def test_every_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= codes, (method, path, codes)
            if method != "get":
                assert "409" in codes, (method, path, codes)
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
