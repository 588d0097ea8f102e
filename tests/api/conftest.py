import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from childcare.api import tokens
from childcare.models import ApiToken


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def issue(user, scope=ApiToken.Scope.READ, days=30) -> str:
    from allauth.mfa.models import Authenticator

    if tokens.needs_second_factor(user):
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return tokens.create_token(user=user, name="Test", scope=scope, valid_days=days).key


@pytest.fixture
def as_user(api):
    """as_user(user, scope=...) -> an API client sending that user's fresh key."""

    def make(user, scope=ApiToken.Scope.READ):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue(user, scope)}")
        return client

    return make
