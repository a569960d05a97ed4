from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone


class Command(BaseCommand):
    help = "Load the demo users, catalogue, reference data, customers, quotes and contracts (idempotent)."

    def handle(self, *args, **options):
        from quotes.sending import enqueue

        # The demo's sent quotes queue their PDFs and e-mails when the transaction commits;
        # with the broker down they wait as queued rows for the relay (docs/sending.md).
        with enqueue.watch() as queued:
            self._load()
        if queued.broker_down:
            self.stdout.write(
                f"The task queue could not be reached: {len(queued.failed)} demo deliveries "
                f"are {enqueue.OUTAGE_NOTE[0].lower()}{enqueue.OUTAGE_NOTE[1:]}"
            )

    @transaction.atomic
    def _load(self):
        from customers import demo as customers_demo
        from mgtrade.accounts import demo as accounts_demo
        from orders import demo as orders_demo
        from products import demo as products_demo
        from products import reference_demo
        from quotes import demo as quotes_demo

        users = accounts_demo.load()
        products = products_demo.load()
        self.stdout.write(f"Demo data: {len(users)} users, {len(products)} grades.")
        reference = reference_demo.load()
        self.stdout.write(
            "Reference data created: " + ", ".join(f"{n} {k}" for k, n in reference.items())
        )
        refreshed = reference_demo.refresh_dates(today=timezone.localdate())
        self.stdout.write(
            "Demo dates carried forward to today: "
            + ", ".join(f"{n} {k}" for k, n in refreshed.items())
        )
        customers = customers_demo.load(users)
        self.stdout.write(f"Demo customers: {len(customers)}.")
        quotes = quotes_demo.load(users)
        self.stdout.write(f"Demo quotes created: {len(quotes)}.")
        contracts = orders_demo.load(users)
        self.stdout.write(f"Demo contracts created: {len(contracts)}.")
        from quotes.tariff_watch import demo as tariff_watch_demo

        watch = tariff_watch_demo.load(users)
        self.stdout.write("Tariff watch demo: " + ", ".join(f"{n} {k}" for k, n in watch.items()))
