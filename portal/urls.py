from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("impressum/", views.imprint, name="imprint"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("allauth.urls")),
    path("einrichtungen/", include("childcare.urls")),
    path("dokumente/", include("childcare.document_urls")),
    path("postfach/", include("notifications.urls")),
    path("verwaltung/planung/", include("childcare.planning_urls")),
    path("verwaltung/vergabe/", include("childcare.round_urls")),
    path("verwaltung/", include("childcare.staff_urls")),
    path("", include("childcare.parent_urls")),
    path("admin/", admin.site.urls),
]
