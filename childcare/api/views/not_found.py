from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound as NotFoundError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


@extend_schema(exclude=True)
class NotFound(APIView):
    """Paths under /api/v1/ that name nothing: a 404 in the API's own format."""

    permission_classes = [AllowAny]

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFoundError()

    def get(self, request, *args, **kwargs):
        raise NotFoundError()
