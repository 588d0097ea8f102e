"""The Musterstadt facilities as an import file (docs/musterstadt-facilities.csv).

Regenerate after changing childcare/demo/data.py:
    python -c "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings'); \
django.setup(); from childcare.demo.facility_file import write; write('docs/musterstadt-facilities.csv')"
A test checks that the shipped file matches.
"""

import csv
import io

from childcare.demo.data import FACILITIES, PROVIDERS
from childcare.demo.seeding import _facility
from childcare.facilities.imports import COLUMNS
from childcare.models import AgeBand, Provider


def _yes_no(value: bool) -> str:
    return "ja" if value else "nein"


def demo_facility_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for spec in FACILITIES:
        provider_spec = PROVIDERS[spec.provider]
        provider = Provider(name=provider_spec.name, kind=provider_spec.kind)
        facility = _facility(spec, provider)
        writer.writerow(
            {
                **{name: getattr(facility, name) for name in COLUMNS if hasattr(facility, name)},
                "external_id": f"musterstadt-{spec.slug}",
                "opens_at": facility.opens_at.strftime("%H:%M"),
                "closes_at": facility.closes_at.strftime("%H:%M"),
                "barrier_free": _yes_no(facility.barrier_free),
                "is_active": _yes_no(facility.is_active),
                "accepts_applications": _yes_no(facility.accepts_applications),
                "provider_external_id": f"musterstadt-{spec.provider}",
                "provider_name": provider_spec.name,
                "provider_kind": provider_spec.kind,
                "provider_website": f"https://www.{provider_spec.domain}/",
                "concepts": " ".join(spec.concepts),
                "languages": " ".join(spec.languages),
                **{f"places_{band}": spec.places.get(AgeBand(band), "") for band in AgeBand.values},
            }
        )
    return out.getvalue()


def write(path: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(demo_facility_csv())
