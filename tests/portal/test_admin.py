import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.urls import reverse

from childcare import models as childcare_models
from notifications.models import OutboxMessage
from portal.models import PortalSettings, User
from tests.conftest import with_second_factor
from tests.factories import OfferFactory, PlacementFactory, StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DOMAIN_MODELS = [
    childcare_models.Provider,
    childcare_models.Facility,
    childcare_models.Capacity,
    childcare_models.Child,
    childcare_models.Guardianship,
    childcare_models.Application,
    childcare_models.Wish,
    childcare_models.Offer,
    childcare_models.Placement,
    childcare_models.ApplicationEvent,
    childcare_models.PriorityPolicy,
    PortalSettings,
    childcare_models.StaffMembership,
    OutboxMessage,
    User,
]


@pytest.fixture
def admin_client(client):
    client.force_login(with_second_factor(UserFactory(is_staff=True, is_superuser=True)))
    return client


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda m: m.__name__)
def test_every_domain_model_has_a_searchable_admin(admin_client, model):
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields
    assert model_admin.list_filter
    OfferFactory()
    PlacementFactory()
    StaffMembershipFactory()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(url, {"q": "Kita"})
    assert response.status_code == 200


def test_admin_is_closed_to_parents(client, parent):
    client.force_login(parent)
    response = client.get(reverse("admin:childcare_facility_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_e_mail_is_the_login_and_is_unique_regardless_of_case():
    user = User.objects.create_user("Mama.Muster@Example.ORG", "s3cret-passphrase")
    assert user.email == "mama.muster@example.org"
    assert User.objects.get_by_natural_key("MAMA.muster@example.org") == user
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="MAMA.MUSTER@example.org")])


def test_superuser_creation_sets_flags():
    user = User.objects.create_superuser("root@example.org", "s3cret-passphrase")
    assert user.is_staff
    assert user.is_superuser
    assert not hasattr(user, "username") or user.username is None
