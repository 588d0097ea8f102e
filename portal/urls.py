from django.contrib import admin
from django.urls import include, path

from portal import second_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("impressum/", views.imprint, name="imprint"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("allauth.urls")),
    path("dokumente/", include("childcare.letters.urls")),
    path("postfach/", include("notifications.urls")),
    path("verwaltung/", include("childcare.backoffice.urls")),
    path("", include("childcare.parents.urls")),
    path("admin/login/", second_factor.admin_login),  # the portal's sign-in, with its second factor
    path("admin/", admin.site.urls),
]
