"""Import facilities from a CSV file: providers, facilities and capacities by a stable external id.

All or nothing: every row is checked first and every error reported with its line number; only
a file without errors is written, in one transaction. A dry run does the same work and rolls it
back, so its report (created, updated, unchanged, and the changed fields) is exactly what the
real import would do. The columns are described in docs/facility-import.md.
"""

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childcare.facilities.availability import refresh_availability
from childcare.facilities.public_cache import facility_data_changed
from childcare.models import (
    AgeBand,
    Capacity,
    Concept,
    Facility,
    FacilityConcept,
    FacilityLanguage,
    Language,
    Provider,
)

FACILITY_COLUMNS = [
    "external_id", "slug", "name", "type", "street", "postcode", "city", "district", "latitude",
    "longitude", "opens_at", "closes_at", "opening_notes", "opening_notes_en", "max_care_hours",
    "description", "description_en", "meals", "barrier_free", "phone", "email", "website", "is_active",
    "accepts_applications",
]  # fmt: skip
PROVIDER_COLUMNS = ["provider_external_id", "provider_name", "provider_kind", "provider_website"]
LIST_COLUMNS = ["concepts", "languages"]
PLACES_COLUMNS = {f"places_{band}": band for band in AgeBand.values}
COLUMNS = [*FACILITY_COLUMNS, *PROVIDER_COLUMNS, *LIST_COLUMNS, *PLACES_COLUMNS]
REQUIRED_COLUMNS = {"external_id", "name", "type", "provider_external_id", "provider_name", "provider_kind"}
# Columns the file may leave out; a missing column keeps the stored value (or the default).
BOOLEAN_WORDS = {
    "1": True,
    "true": True,
    "ja": True,
    "yes": True,
    "0": False,
    "false": False,
    "nein": False,
    "no": False,
}
MAX_ROWS = 10_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, wrong columns); the message is for the user."""


@dataclass
class Change:
    line: int
    kind: str  # "provider" or "facility"
    external_id: str
    action: str  # "created", "updated", "unchanged"
    fields: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    changes: list[Change] = field(default_factory=list)
    written: bool = False

    def count(self, kind: str, action: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind and change.action == action)

    @property
    def summary(self) -> dict[str, dict[str, int]]:
        return {
            kind: {action: self.count(kind, action) for action in ("created", "updated", "unchanged")}
            for kind in ("provider", "facility")
        }


class BooleanWord(forms.Field):
    """ja/nein, yes/no, true/false, 1/0; empty keeps the stored value."""

    default_error_messages = {"invalid": gettext_lazy("Enter yes or no (ja/nein, true/false, 1/0).")}

    def to_python(self, value):
        text = (value or "").strip().lower()
        if not text:
            return None
        if text not in BOOLEAN_WORDS:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return BOOLEAN_WORDS[text]


class CodeList(forms.Field):
    """Codes separated by spaces, commas or semicolons, each one of ``choices``."""

    def __init__(self, *, choices, **kwargs):
        super().__init__(required=False, **kwargs)
        self.allowed = dict(choices)

    def to_python(self, value):
        codes = [code for code in (value or "").replace(",", " ").replace(";", " ").split() if code]
        unknown = [code for code in codes if code not in self.allowed]
        if unknown:
            raise forms.ValidationError(
                _("Unknown code(s): %(codes)s. Allowed: %(allowed)s.")
                % {"codes": ", ".join(unknown), "allowed": ", ".join(self.allowed)}
            )
        return sorted(set(codes))


class ProviderRow(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = ["name", "kind", "website"]


class FacilityRow(forms.ModelForm):
    concepts = CodeList(choices=Concept.choices)
    languages = CodeList(choices=Language.choices)
    barrier_free = BooleanWord(required=False)
    is_active = BooleanWord(required=False)
    accepts_applications = BooleanWord(required=False)
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Facility
        fields = [name for name in FACILITY_COLUMNS if name not in ("external_id",)]

    def __init__(self, *args, places_fields: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in places_fields:
            self.fields[name] = forms.IntegerField(required=False, min_value=0, max_value=10_000)
        # A column the file leaves out keeps what is stored (or the model's default for a new row).
        for name in ("max_care_hours", "meals", "opening_notes", "opening_notes_en", "description",
                     "description_en", "phone", "email", "website"):  # fmt: skip
            self.fields[name].required = False

    def _post_clean(self):
        # Booleans left empty keep the stored value before the model checks run.
        for name in ("barrier_free", "is_active", "accepts_applications"):
            if self.cleaned_data.get(name) is None:
                self.cleaned_data[name] = getattr(self.instance, name)
        if self.cleaned_data.get("max_care_hours") is None:
            self.cleaned_data["max_care_hours"] = self.instance.max_care_hours or 45
        super()._post_clean()


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and (line number, row) pairs; comma or semicolon separated, UTF-8 with or without BOM."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise ImportFileError(_("Columns missing: %(columns)s.") % {"columns": ", ".join(sorted(missing))})
    unknown = set(header) - set(COLUMNS)
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(sorted(unknown))})
    rows = []
    try:
        for row in reader:
            if None in row:
                rows.append((reader.line_num, {"__extra__": "1"}))
                continue
            if not any((value or "").strip() for value in row.values()):
                continue
            rows.append((reader.line_num, {key: (value or "").strip() for key, value in row.items()}))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_("At most %(count)s rows per file.") % {"count": MAX_ROWS})
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s: %(error)s") % {"line": reader.line_num, "error": error}
        ) from None
    return header, rows


def _form_errors(line: int, form: forms.Form, prefix: str = "") -> list[tuple[int, str]]:
    return [
        (line, f"{prefix}{name}: {message}" if name != "__all__" else str(message))
        for name, messages in form.errors.items()
        for message in messages
    ]


def snapshot(instance) -> dict:
    """The stored values, taken before a form writes the row's values onto the instance."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _changed(original: dict, values: dict) -> list[str]:
    changed = []
    for name, value in values.items():
        stored = original.get(name, original.get(f"{name}_id"))
        if (value.pk if hasattr(value, "pk") else value) != stored:
            changed.append(name)
    return changed


def import_facilities(*, text: str, dry_run: bool) -> ImportReport:
    """Check every row, then (only without errors) create or update, all in one transaction.

    Providers and facilities are found by external id; a facility or provider entered by hand
    (no external id) with the same slug or name is taken over and gets the external id. Raises
    ImportFileError when the file as a whole cannot be read.
    """
    header, rows = read_rows(text)
    report = ImportReport()
    places_fields = [name for name in PLACES_COLUMNS if name in header]
    with transaction.atomic():
        plan = _check(rows, header, places_fields, report)
        if report.errors:
            return report
        _write(plan, places_fields, report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            report.written = True
    return report


@dataclass
class _Planned:
    line: int
    external_id: str
    provider_external_id: str
    provider_form: ProviderRow
    provider_original: dict
    form: FacilityRow
    original: dict


def _check(rows, header, places_fields, report: ImportReport) -> list[_Planned]:
    facilities = Facility.objects.in_bulk(
        [row.get("external_id") for _line, row in rows if row.get("external_id")], field_name="external_id"
    )
    providers = Provider.objects.in_bulk(
        [row.get("provider_external_id") for _line, row in rows if row.get("provider_external_id")],
        field_name="external_id",
    )
    seen_facilities: dict[str, int] = {}
    seen_slugs: dict[str, int] = {}
    provider_rows: dict[str, tuple[int, dict]] = {}
    plan = []
    for line, row in rows:
        if "__extra__" in row:
            report.errors.append((line, _("The row has more fields than the header.")))
            continue
        external_id = row.get("external_id", "")
        if not external_id:
            report.errors.append((line, _("external_id: This field is required.")))
            continue
        if external_id in seen_facilities:
            report.errors.append(
                (
                    line,
                    _("external_id %(id)s already on line %(line)s.")
                    % {"id": external_id, "line": seen_facilities[external_id]},
                )
            )
            continue
        seen_facilities[external_id] = line
        provider_id = row.get("provider_external_id", "")
        provider_values = {
            "name": row.get("provider_name", ""),
            "kind": row.get("provider_kind", ""),
            "website": row.get("provider_website", ""),
        }
        if not provider_id:
            report.errors.append((line, _("provider_external_id: This field is required.")))
            continue
        if provider_id in provider_rows and provider_rows[provider_id][1] != provider_values:
            report.errors.append(
                (
                    line,
                    _("Provider %(id)s is described differently on line %(line)s.")
                    % {"id": provider_id, "line": provider_rows[provider_id][0]},
                )
            )
            continue
        provider_rows.setdefault(provider_id, (line, provider_values))
        provider = (
            providers.get(provider_id)
            or Provider.objects.filter(name=provider_values["name"], external_id__isnull=True).first()
            or Provider()
        )
        provider_original = snapshot(provider)
        provider_form = ProviderRow(provider_values, instance=provider)
        facility = facilities.get(external_id)
        data = {name: row[name] for name in header if name in row}
        if facility is None:
            slug = data.get("slug") or slugify(data.get("name", ""))
            data["slug"] = slug
            facility = Facility.objects.filter(slug=slug, external_id__isnull=True).first() or Facility()
        elif not data.get("slug"):
            data["slug"] = facility.slug
        for name in FACILITY_COLUMNS:
            if name not in header and name != "external_id" and facility.pk:
                value = getattr(facility, name)
                data[name] = value
        if data["slug"] in seen_slugs:
            report.errors.append(
                (
                    line,
                    _("slug %(slug)s already on line %(line)s.")
                    % {"slug": data["slug"], "line": seen_slugs[data["slug"]]},
                )
            )
            continue
        seen_slugs[data["slug"]] = line
        original = snapshot(facility)
        form = FacilityRow(data, instance=facility, places_fields=places_fields)
        provider_ok, facility_ok = provider_form.is_valid(), form.is_valid()
        if not provider_ok:
            report.errors.extend(_form_errors(line, provider_form, prefix="provider_"))
        if not facility_ok:
            report.errors.extend(_form_errors(line, form))
        if provider_ok and facility_ok:
            plan.append(
                _Planned(line, external_id, provider_id, provider_form, provider_original, form, original)
            )
    return plan


def _write(plan: list[_Planned], places_fields: list[str], report: ImportReport) -> None:
    providers: dict[str, Provider] = {}
    for item in plan:
        if item.provider_external_id in providers:
            continue
        provider = item.provider_form.instance
        values = {**item.provider_form.cleaned_data, "external_id": item.provider_external_id}
        report.changes.append(
            _save(provider, values, item.provider_original, line=item.line, kind="provider")
        )
        providers[item.provider_external_id] = provider
    places_changed: list[tuple[int, str]] = []
    for item in plan:
        facility = item.form.instance
        cleaned = item.form.cleaned_data
        values = {name: cleaned[name] for name in item.form._meta.fields if name in cleaned}
        values.update(external_id=item.external_id, provider=providers[item.provider_external_id])
        change = _save(facility, values, item.original, line=item.line, kind="facility")
        change.fields += _set_codes(facility, FacilityConcept, "concept", cleaned.get("concepts"), "concepts")
        change.fields += _set_codes(
            facility, FacilityLanguage, "language", cleaned.get("languages"), "languages"
        )
        places = _set_places(facility, {PLACES_COLUMNS[name]: cleaned.get(name) for name in places_fields})
        places_changed += [(facility.pk, column.removeprefix("places_")) for column in places]
        change.fields += places
        if change.fields and change.action == "unchanged":
            change.action = "updated"
        report.changes.append(change)
    refresh_availability(programs=places_changed)
    facility_data_changed()  # concepts and languages are written in bulk, past the save signals


def _save(instance, values: dict, original: dict, *, line: int, kind: str) -> Change:
    """Create, or update only the changed fields (so ``updated_at`` moves only on a real change)."""
    created = instance.pk is None
    changed = [] if created else _changed(original, values)
    for name, value in values.items():
        setattr(instance, name, value)
    if created:
        instance.save()
    elif changed:
        instance.save(update_fields=[*changed, *(["updated_at"] if hasattr(instance, "updated_at") else [])])
    return Change(
        line=line,
        kind=kind,
        external_id=values["external_id"],
        action="created" if created else ("updated" if changed else "unchanged"),
        fields=[]
        if created
        else [name if name != "provider" else "provider_external_id" for name in changed],
    )


def _set_codes(facility, model, attribute: str, codes, column: str) -> list[str]:
    if codes is None:
        return []
    current = set(model.objects.filter(facility=facility).values_list(attribute, flat=True))
    if current == set(codes):
        return []
    model.objects.filter(facility=facility).exclude(**{f"{attribute}__in": codes}).delete()
    model.objects.bulk_create(
        [model(facility=facility, **{attribute: code}) for code in set(codes) - current]
    )
    return [column]


def _set_places(facility, places: dict[str, int | None]) -> list[str]:
    """Places per age band; an empty cell means the band is not offered (0 places if it was)."""
    stored = {capacity.age_band: capacity for capacity in Capacity.objects.filter(facility=facility)}
    changed = []
    for band, count in places.items():
        capacity = stored.get(band)
        if count is None and (capacity is None or capacity.places == 0):
            continue
        count = count or 0
        if capacity is None:
            Capacity.objects.create(facility=facility, age_band=band, places=count)
        elif capacity.places != count:
            capacity.places = count
            capacity.save(update_fields=["places", "updated_at"])
        else:
            continue
        changed.append(f"places_{band}")
    return changed
