from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from childcare.facilities.imports import ImportFileError, ImportReport, import_facilities

PLURALS = {"provider": "Providers", "facility": "Facilities"}


def report_lines(report: ImportReport, *, dry_run: bool) -> list[str]:
    """The report as plain lines, shared by the command and the office page's plain-text view."""
    if report.errors:
        return [f"Line {line}: {message}" for line, message in report.errors]
    lines = []
    for kind, counts in report.summary.items():
        created, updated, unchanged = counts["created"], counts["updated"], counts["unchanged"]
        lines.append(f"{PLURALS[kind]}: {created} created, {updated} updated, {unchanged} unchanged")
    for change in report.changes:
        if change.action == "updated":
            lines.append(
                f"  line {change.line}: {change.kind} {change.external_id}: {', '.join(change.fields)}"
            )
    lines.append("Dry run: nothing was written." if dry_run else "Written.")
    return lines


class Command(BaseCommand):
    help = (
        "Create or update providers, facilities and capacities from a CSV file "
        "(see docs/facility-import.md). Every row is checked first; a file with errors changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            report = import_facilities(text=text, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for line in report_lines(report, dry_run=dry_run):
            self.stdout.write(line)
        if report.errors:
            raise CommandError(f"{len(report.errors)} error(s); nothing was written.")
