"""The municipal office uploads a facility file: check it (dry run) or import it, all or nothing."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childcare.backoffice.views.planning import municipal_office_required
from childcare.facilities.imports import ImportFileError, import_facilities

MAX_FILE_BYTES = 5 * 2**20


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, comma or semicolon separated; the columns are in the import guide."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check: show what would change, write nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text. Save it as 'CSV UTF-8'.")) from None
        if "\x00" in text:  # no text file holds one, and PostgreSQL cannot even look one up
            raise forms.ValidationError(_("The file contains null characters: it is not a CSV text file."))
        return text


@municipal_office_required
def facility_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    dry_run = True
    if request.method == "POST" and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        try:
            report = import_facilities(text=form.cleaned_data["file"], dry_run=dry_run)
        except ImportFileError as error:
            form.add_error("file", str(error))
    return render(
        request,
        "childcare/staff/facility_import.html",
        {"form": form, "report": report, "dry_run": dry_run},
        status=400 if report and report.errors else 200,
    )
