"""Render time of a shipment's export documents, and the check that a second render is
byte-identical to the stored checksum.

    DATABASE_URL=... .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_demo
    DATABASE_URL=... .venv/bin/python bench/export_documents.py [--runs 5]

Takes the demo's shipped contract (Rijnmond, one shipment on board, documents issued) and,
for each current document and for the one-PDF set the buyer gets, renders the frozen
content ``--runs`` times: median wall time per kind, and whether every render has the
stored SHA-256 (the stored PDF is rendered first when the demo's worker has not run).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgtrade.settings.local")

import django

django.setup()

from orders import export_documents as xd  # noqa: E402
from orders.models import ExportDocument, Shipment  # noqa: E402
from quotes.documents.context import document_render, pdf_sha256  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    shipment = Shipment.objects.filter(documents__isnull=False).order_by("pk").first()
    if shipment is None:
        sys.exit("No shipment with documents: run manage.py load_demo first.")
    docs = list(ExportDocument.objects.filter(shipment=shipment, superseded_at__isnull=True))
    for doc in docs:
        xd.export_document_render(document_id=doc.pk)
        doc.refresh_from_db()
    document_render(
        docs[0].document, docs[0].template, language=docs[0].document["language"]
    )  # warm fonts
    print(f"Shipment {shipment.reference}: {len(docs)} documents, {args.runs} runs each")
    identical = True
    for doc in docs:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            data = document_render(doc.document, doc.template, language=doc.document["language"])
            times.append(time.perf_counter() - start)
            identical &= pdf_sha256(data) == doc.pdf_sha256
        print(f"  {doc.get_kind_display():<26} {doc}: median {statistics.median(times):.2f} s")
    set_doc = xd.set_context(shipment)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        document_render(set_doc, xd.SET_TEMPLATE)
        times.append(time.perf_counter() - start)
    print(f"  {'the set (one PDF)':<26} median {statistics.median(times):.2f} s")
    print(f"Every render byte-identical to the stored checksum: {identical}")


if __name__ == "__main__":
    main()
