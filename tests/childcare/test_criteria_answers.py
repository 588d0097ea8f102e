"""The priority questions: nothing is pre-answered, and an unanswered one is never a silent 'no'."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from childcare.admissions import applications as services
from childcare.admissions.points import recompute_points
from childcare.admissions.priority import PointsPolicy, WishFacts, wish_points
from childcare.errors import DomainError
from childcare.models import Application, ApplicationStatus
from tests.factories import ApplicationFactory, CapacityFactory, WishFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client, parent, child):
    client.force_login(parent)
    return services.create_application(child=child, by=parent)


def criteria_url(application):
    return reverse("parents:application_step_criteria", args=[application.public_id])


def test_a_new_draft_has_no_answers_and_the_form_preselects_nothing(client, draft):
    assert draft.resides_in_municipality is None
    assert draft.guardians_working_or_training is None
    html = client.get(criteria_url(draft)).content.decode()
    assert 'type="radio"' in html
    assert "checked" not in html


def test_an_unanswered_question_is_an_error_that_names_it(client, draft, in_english):
    response = client.post(criteria_url(draft), {"resides_in_municipality": "True"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please answer: How many guardians are working or in training?" in html
    assert "Please answer: Does your family live in Musterstadt?" not in html
    draft.refresh_from_db()
    assert draft.guardians_working_or_training is None


def test_all_answers_given_are_saved_including_no(client, draft):
    response = client.post(
        criteria_url(draft),
        {
            "resides_in_municipality": "False",
            "guardians_working_or_training": "0",
            "single_parent": "False",
            "hardship_referral": "True",
            "integration_need": "False",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.resides_in_municipality, draft.guardians_working_or_training, draft.hardship_referral) == (
        False,
        0,
        True,
    )


def test_submitting_with_an_unanswered_question_is_refused_and_names_it(parent, child, in_english):
    facility = CapacityFactory().facility
    application = ApplicationFactory(
        child=child,
        status=ApplicationStatus.DRAFT,
        submitted_at=None,
        consent_data_processing=True,
        resides_in_municipality=True,
        guardians_working_or_training=1,
        single_parent=None,
    )
    WishFactory(application=application, facility=facility)
    with pytest.raises(DomainError) as error:
        services.submit_application(application=application, by=parent)
    assert str(error.value.message) == "Please answer: Are you bringing up your child alone?"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_unanswered_questions_give_no_points():
    facts = WishFacts(
        resides_in_municipality=None,
        guardians_working_or_training=None,
        single_parent=None,
        hardship_referral=None,
        sibling_at_facility=False,
        birth_date=datetime.date(2020, 1, 1),
        start_date=datetime.date(2020, 6, 1),
        submitted_on=None,
    )
    assert wish_points(PointsPolicy(), facts, today=datetime.date(2020, 1, 2)) == (0, {})


def test_recomputing_points_of_a_draft_with_no_answers_works(child):
    application = ApplicationFactory(
        child=child,
        status=ApplicationStatus.DRAFT,
        submitted_at=None,
        resides_in_municipality=None,
        guardians_working_or_training=None,
    )
    wish = WishFactory(application=application, points=99)
    recompute_points(
        wishes=Application.objects.get(pk=application.pk).wishes.all(), today=timezone.localdate()
    )
    wish.refresh_from_db()
    assert "residence" not in wish.points_explanation
    assert "working_guardians" not in wish.points_explanation


from tests.childcare.upload_samples import PDF  # noqa: E402  (a real one-page PDF: uploads are parsed)


def test_uploading_a_proof_keeps_the_answers_entered_so_far(
    client, draft, django_capture_on_commit_callbacks
):
    html = client.get(criteria_url(draft)).content.decode()
    # the upload button belongs to the criteria form and posts it to the upload address
    upload_url = reverse("parents:document_upload", args=[draft.public_id])
    assert f'formaction="{upload_url}"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            upload_url,
            {
                "resides_in_municipality": "True",
                "guardians_working_or_training": "2",
                "criterion": "residence",
                "file": SimpleUploadedFile("meldebescheinigung.pdf", PDF, content_type="application/pdf"),
            },
            follow=True,
        )
    assert draft.documents.count() == 1
    draft.refresh_from_db()
    assert (draft.resides_in_municipality, draft.guardians_working_or_training) == (True, 2)
    assert draft.single_parent is None  # still unanswered, not turned into "no"
    html = response.content.decode()
    assert re.search(r'<input[^>]*name="resides_in_municipality" value="True"[^>]*checked', html)
    assert not re.search(r'<input[^>]*name="single_parent"[^>]*checked', html)


def test_a_proof_chosen_before_save_and_continue_is_not_lost(client, draft):
    client.post(
        criteria_url(draft),
        {
            "resides_in_municipality": "True",
            "criterion": "residence",
            "file": SimpleUploadedFile("meldebescheinigung.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert draft.documents.count() == 1
    draft.refresh_from_db()
    assert draft.resides_in_municipality is True


def test_the_error_summary_names_the_question_once(client, draft, in_english):
    html = client.post(criteria_url(draft), {}).content.decode()
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Please answer: Does your family live in Musterstadt?" in summary
    assert summary.count("Does your family live in Musterstadt?") == 1
