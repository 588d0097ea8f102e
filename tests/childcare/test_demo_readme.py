"""The README's table of demo accounts says what each demo family really has."""

from django.conf import settings

from childcare.demo.data import APPLICATIONS
from childcare.models import ApplicationStatus

# How the table names each status of a demo application.
WORDS = {
    ApplicationStatus.DRAFT: "draft",
    ApplicationStatus.SUBMITTED: "waiting",  # submitted and on the waitlists
    ApplicationStatus.OFFERED: "open offer",
    ApplicationStatus.PLACED: "placed",
}


def test_each_demo_parents_row_names_their_children_and_what_they_have():
    rows = {
        line.split("`")[1]: line
        for line in (settings.BASE_DIR / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    for application in APPLICATIONS:
        row = rows[application.child.guardian.email]
        child = application.child.first_name
        assert child in row
        after_name = row.split(child, 1)[1].split(";")[0]
        assert WORDS[application.status] in after_name, (child, row)
