import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from childcare.demo.facility_file import demo_facility_csv
from childcare.facilities.imports import COLUMNS, ImportFileError, import_facilities
from childcare.models import Capacity, Facility, FacilityConcept, Provider
from tests.factories import FacilityFactory, ProviderFactory

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "docs" / "musterstadt-facilities.csv"


def row(n: int, **overrides) -> dict:
    return {
        "external_id": f"ext-{n}",
        "name": f"Kita Nummer {n}",
        "type": "kita",
        "street": f"Weg {n}",
        "postcode": "63000",
        "city": "Musterstadt",
        "district": "Mitte",
        "latitude": "50.05",
        "longitude": "8.69",
        "opens_at": "07:00",
        "closes_at": "17:00",
        "provider_external_id": f"prov-{n % 7}",
        "provider_name": f"Träger {n % 7}",
        "provider_kind": "non_profit",
        "concepts": "montessori forest",
        "languages": "de",
        "places_u3": "10",
        "places_ue3": "20",
        **overrides,
    }


def as_csv(rows: list[dict], delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_one_bad_row_among_500_writes_nothing_and_names_the_line(in_english):
    rows = [row(n) for n in range(500)]
    rows[321]["closes_at"] = "25:00"
    report = import_facilities(text=as_csv(rows), dry_run=False)
    assert not report.written
    assert [line for line, _message in report.errors] == [323]  # header is line 1
    assert "closes_at" in report.errors[0][1]
    assert not Facility.objects.exists()
    assert not Provider.objects.exists()


def test_every_error_is_reported_before_anything_is_written(in_english):
    rows = [row(1, type="zoo"), row(2), row(3, latitude="north", email="no-mail"), row(2, name="Dup")]
    report = import_facilities(text=as_csv(rows), dry_run=False)
    lines = sorted({line for line, _message in report.errors})
    assert lines == [2, 4, 5]
    messages = " ".join(message for _line, message in report.errors)
    assert "latitude" in messages
    assert "email" in messages
    assert "already on line 3" in messages
    assert not Facility.objects.exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    text = as_csv([row(n) for n in range(20)])
    first = import_facilities(text=text, dry_run=False)
    assert first.summary["facility"]["created"] == 20
    stamps = dict(Facility.objects.values_list("external_id", "updated_at"))
    second = import_facilities(text=text, dry_run=False)
    assert second.summary["facility"] == {"created": 0, "updated": 0, "unchanged": 20}
    assert second.summary["provider"] == {"created": 0, "updated": 0, "unchanged": 7}
    assert dict(Facility.objects.values_list("external_id", "updated_at")) == stamps


def test_a_changed_row_updates_only_its_fields_and_the_dry_run_says_so():
    import_facilities(text=as_csv([row(1), row(2)]), dry_run=False)
    changed = as_csv([row(1, name="Kita Neu", places_u3="12", concepts="forest"), row(2)])
    preview = import_facilities(text=changed, dry_run=True)
    (update,) = [c for c in preview.changes if c.action == "updated"]
    assert (update.external_id, sorted(update.fields)) == ("ext-1", ["concepts", "name", "places_u3"])
    assert Facility.objects.get(external_id="ext-1").name == "Kita Nummer 1"  # dry run wrote nothing
    import_facilities(text=changed, dry_run=False)
    facility = Facility.objects.get(external_id="ext-1")
    assert facility.name == "Kita Neu"
    assert Capacity.objects.get(facility=facility, age_band="u3").places == 12
    assert list(FacilityConcept.objects.filter(facility=facility).values_list("concept", flat=True)) == [
        "forest"
    ]


def test_rows_entered_by_hand_are_taken_over_by_slug_and_name():
    provider = ProviderFactory(name="Träger 1")
    legacy = FacilityFactory(slug="kita-nummer-1", provider=provider)
    import_facilities(text=as_csv([row(1)]), dry_run=False)
    legacy.refresh_from_db()
    provider.refresh_from_db()
    assert (legacy.external_id, provider.external_id) == ("ext-1", "prov-1")
    assert Facility.objects.count() == 1


def test_semicolon_files_and_missing_columns():
    assert import_facilities(text=as_csv([row(1)], delimiter=";"), dry_run=False).written
    with pytest.raises(ImportFileError):
        import_facilities(text="name;type\nA;kita\n", dry_run=False)


def test_the_shipped_file_imports_cleanly_into_an_empty_database_and_matches_the_demo_data():
    text = SHIPPED.read_text(encoding="utf-8")
    assert text == demo_facility_csv(), "regenerate docs/musterstadt-facilities.csv (see facility_file.py)"
    report = import_facilities(text=text, dry_run=False)
    assert report.errors == []
    assert Facility.objects.count() == report.summary["facility"]["created"] > 20
    assert Facility.objects.filter(slug="kita-sonnenblume", capacities__age_band="u3").exists()


def test_command_dry_run_and_errors(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(as_csv([row(1)]), encoding="utf-8")
    call_command("import_facilities", str(good), "--dry-run")
    assert "1 created" in capsys.readouterr().out
    assert not Facility.objects.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text(as_csv([row(1, type="zoo")]), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_facilities", str(bad))
    assert "Line 2" in capsys.readouterr().out


def test_office_page_checks_and_imports_others_get_404(client, municipal_office, staff, in_english):
    client.force_login(staff)
    assert client.get("/verwaltung/einrichtungen/import/").status_code == 404
    client.force_login(municipal_office)
    upload = SimpleUploadedFile("f.csv", as_csv([row(1)]).encode(), content_type="text/csv")
    checked = client.post("/verwaltung/einrichtungen/import/", {"file": upload, "dry_run": "on"})
    assert checked.status_code == 200
    assert b"Check passed" in checked.content
    assert not Facility.objects.filter(external_id="ext-1").exists()
    upload = SimpleUploadedFile("f.csv", as_csv([row(1, type="zoo")]).encode(), content_type="text/csv")
    failed = client.post("/verwaltung/einrichtungen/import/", {"file": upload})
    assert failed.status_code == 400
    assert b"Line 2:" in failed.content
    upload = SimpleUploadedFile("f.csv", as_csv([row(1)]).encode(), content_type="text/csv")
    assert client.post("/verwaltung/einrichtungen/import/", {"file": upload}).status_code == 200
    assert Facility.objects.filter(external_id="ext-1").exists()


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_file_with_a_null_character_is_refused_with_a_message_and_writes_nothing(
    client, municipal_office, language
):
    """PostgreSQL cannot even look up a text with a null character: the file is refused first."""
    client.force_login(municipal_office)
    client.cookies["django_language"] = language
    text = as_csv([row(1, external_id="ext-\x00")])
    upload = SimpleUploadedFile("f.csv", text.encode(), content_type="text/csv")

    response = client.post("/verwaltung/einrichtungen/import/", {"file": upload})

    assert response.status_code == 200
    message = {
        "en": "The file contains null characters: it is not a CSV text file.",
        "de": "Die Datei enthält Nullzeichen: Sie ist keine CSV-Textdatei.",
    }[language]
    assert message in response.content.decode()
    assert not Facility.objects.exists()
