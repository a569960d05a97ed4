"""Rebuild the reports' flat table now (beat does it every ten minutes)."""

from django.core.management.base import BaseCommand

from reports.refresh import report_lines_refresh


class Command(BaseCommand):
    help = "Rebuild reports_reportline from the live quotes."

    def handle(self, *args, **options):
        count = report_lines_refresh()
        self.stdout.write(self.style.SUCCESS(f"{count} report lines."))
