"""The REST API under /api/: version 1 at /api/v1/, the OpenAPI schema and its docs."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from childcare.api.views import facilities, family, office, open_data, staff
from childcare.api.views.not_found import NotFound

app_name = "api"

v1 = [
    path("facilities/", facilities.FacilityList.as_view(), name="facility_list"),
    path("facilities/<str:slug>/", facilities.FacilityDetail.as_view(), name="facility_detail"),
    path("open-data/facilities.geojson", open_data.FacilitiesGeoJSON.as_view(), name="open_data_geojson"),
    path("open-data/facilities.csv", open_data.FacilitiesCSV.as_view(), name="open_data_csv"),
    path("me/children/", family.ChildList.as_view(), name="my_children"),
    path("me/applications/", family.ApplicationList.as_view(), name="my_applications"),
    path("me/applications/<uuid:public_id>/", family.ApplicationDetail.as_view(), name="my_application"),
    path(
        "me/applications/<uuid:public_id>/confirm-interest/",
        family.InterestConfirmation.as_view(),
        name="confirm_interest",
    ),
    path("me/offers/", family.OfferList.as_view(), name="my_offers"),
    path(
        "me/offers/<uuid:public_id>/accept/", family.OfferAnswer.as_view(answer="accept"), name="offer_accept"
    ),
    path(
        "me/offers/<uuid:public_id>/decline/",
        family.OfferAnswer.as_view(answer="decline"),
        name="offer_decline",
    ),
    path("staff/facilities/", staff.StaffFacilityList.as_view(), name="staff_facilities"),
    path("staff/facilities/<str:slug>/waitlist/", staff.Waitlist.as_view(), name="staff_waitlist"),
    path("staff/facilities/<str:slug>/placements/", staff.PlacementList.as_view(), name="staff_placements"),
    path(
        "staff/facilities/<str:slug>/applications/<uuid:public_id>/offer/",
        staff.OfferMake.as_view(),
        name="staff_offer_make",
    ),
    path(
        "staff/facilities/<str:slug>/applications/<uuid:public_id>/reject/",
        staff.WishReject.as_view(),
        name="staff_wish_reject",
    ),
    path("office/rounds/", office.RoundList.as_view(), name="office_rounds"),
    path("office/rounds/<uuid:public_id>/", office.RoundDetail.as_view(), name="office_round"),
    path("office/planning/", office.Planning.as_view(), name="office_planning"),
    # Any other path under the API answers a problem-details 404, not the HTML error page.
    re_path(r"^.*$", NotFound.as_view()),
]

# Swagger UI and ReDoc (drf-spectacular-sidecar, served from the portal) configure themselves with
# inline scripts and styles, ReDoc runs a worker from a blob: URL: their two pages relax the
# portal's policy for exactly that, nothing else does.
DOCS_POLICY = csp_update(
    {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}
)

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DOCS_POLICY(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", DOCS_POLICY(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
]
