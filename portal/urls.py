from django.contrib import admin
from django.urls import include, path

from childcare.api import pages as api_pages
from portal import health, second_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("health/", health.health, name="health"),
    path("health/ping", health.ping, name="health_ping"),
    path("impressum/", views.imprint, name="imprint"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/api-tokens/", api_pages.token_list, name="api_tokens"),
    path("konto/api-tokens/<str:public_id>/widerrufen/", api_pages.token_revoke, name="api_tokens_revoke"),
    path("konto/daten/", views.account_data, name="account_data"),
    path("konto/daten/export.zip", views.account_data_download, name="account_data_download"),
    path("konto/", include("allauth.urls")),
    path("dokumente/", include("childcare.letters.urls")),
    path("postfach/", include("notifications.urls")),
    path("verwaltung/zustellung/", include("notifications.office_urls")),
    path("verwaltung/", include("childcare.backoffice.urls")),
    path("", include("childcare.parents.urls")),
    path("admin/login/", second_factor.admin_login),  # the portal's sign-in, with its second factor
    path("admin/", admin.site.urls),
    path("api/", include("childcare.api.urls")),
]
