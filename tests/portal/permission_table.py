"""The expected outcome of a GET of every URL for every persona: the table the permission matrix checks.

A POST without fields has its own table, ``tests.portal.permission_table_post``.

One row per URL name (several names share a row); a new URL without a row fails the matrix test.
"""

from tests.portal.matrix_scene import PERSONAS

# Outcome rows in PERSONAS order:
# anonymous, parent_a, parent_b, co_guardian, leader_x, leader_y, office, superuser
EVERYONE = ("200",) * 8
SIGNED_IN = ("login",) + ("200",) * 7

EXPECTED: dict[str, tuple[str, ...]] = {}


def _expect(names: str, outcomes: tuple[str, ...]) -> None:
    assert len(outcomes) == len(PERSONAS)
    for name in names.split():
        assert name not in EXPECTED, name
        EXPECTED[name] = outcomes


# /health/ answers 200 or 503 depending on the services around the test run: the same for everyone.
SAME_FOR_EVERYONE = {"health"}

_expect("health_ping", EVERYONE)
# Webhooks: the admin for the superuser (deliveries are never added by hand; no rows exist in the
# scene, so their change pages go back to the admin); the page for the facility's own staff.
_expect(
    "admin:childcare_webhookdelivery_changelist admin:childcare_webhookendpoint_add "
    "admin:childcare_webhookendpoint_changelist",
    ("login",) * 7 + ("200",),
)
_expect(
    """
    admin:childcare_webhookdelivery_change admin:childcare_webhookdelivery_delete
    admin:childcare_webhookdelivery_history admin:childcare_webhookendpoint_change
    admin:childcare_webhookendpoint_delete admin:childcare_webhookendpoint_history
    """,
    ("login",) * 7 + ("302 /admin/",),
)
_expect("admin:childcare_webhookdelivery_add", ("login",) * 7 + ("403",))
# The delivery pause is the portal's own row: seen in the admin, never added by hand.
_expect("admin:notifications_deliverypause_changelist", ("login",) * 7 + ("200",))
_expect("admin:notifications_deliverypause_add", ("login",) * 7 + ("403",))
_expect(
    """
    admin:notifications_deliverypause_change admin:notifications_deliverypause_delete
    admin:notifications_deliverypause_history
    """,
    ("login",) * 7 + ("302 /admin/",),
)
_expect("notifications_office:failed", ("login", "404", "404", "404", "404", "404", "200", "404"))
_expect("notifications_office:resend", ("login", "404", "404", "404", "404", "404", "405", "404"))
_expect("api:confirm_interest", ("401",) + ("405",) * 7)  # POST only; GET is refused after the key check
_expect(
    "api:staff_offer_make api:staff_wish_reject",
    ("401", "403", "403", "403", "405", "405", "405", "403"),
)
_expect("backoffice:webhooks", ("login", "404", "404", "404", "200", "404", "200", "404"))

_expect(
    """
    account_change_password account_data account_data_download account_email
    account_reauthenticate account_request_reauthentication_code
    api_tokens mfa_index mfa_list_webauthn notifications:inbox notifications:preferences
    parents:application_list parents:child_create parents:child_list
    """,
    SIGNED_IN,
)
_expect(
    """
    account_confirm_email account_email_verification_sent account_inactive account_reset_password
    account_reset_password_done account_reset_password_from_key account_reset_password_from_key_done
    api:docs api:facility_detail api:facility_list api:open_data_csv api:open_data_geojson api:redoc
    api:schema home imprint parents:facility_detail parents:facility_search
    parents:interest_confirm_link privacy
    """,
    EVERYONE,
)
_expect(
    "account_confirm_login_code mfa_authenticate",
    (
        "login",
        "302 /antraege/",
        "302 /antraege/",
        "302 /antraege/",
        "302 /verwaltung/",
        "302 /verwaltung/",
        "302 /verwaltung/",
        "302 /antraege/",
    ),
)
_expect(
    "account_confirm_reauthentication_code",
    (
        "login",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
        "302 /konto/reauthenticate/code/",
    ),
)
_expect(
    "account_login account_signup",
    (
        "200",
        "302 /antraege/",
        "302 /antraege/",
        "302 /antraege/",
        "302 /verwaltung/",
        "302 /verwaltung/",
        "302 /verwaltung/",
        "302 /antraege/",
    ),
)
_expect(
    "account_logout",
    ("302 /", "200", "200", "200", "200", "200", "200", "200"),
)
_expect(
    "account_set_password",
    (
        "login",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
        "302 /konto/password/change/",
    ),
)
_expect(
    "admin/(?P<url>.*)$ admin:view_on_site",
    ("login", "login", "login", "login", "login", "login", "login", "404"),
)
_expect(
    "admin/login/ admin:login",
    ("login", "403", "403", "403", "403", "403", "403", "403"),
)
_expect(
    """
    admin:account_emailaddress_add admin:account_emailaddress_change
    admin:account_emailaddress_changelist admin:account_emailaddress_delete
    admin:account_emailaddress_history admin:app_list admin:auth_group_add admin:auth_group_changelist
    admin:auth_user_password_change admin:childcare_application_add admin:childcare_application_change
    admin:childcare_application_changelist admin:childcare_application_delete
    admin:childcare_application_history admin:childcare_applicationdocument_add
    admin:childcare_applicationdocument_change admin:childcare_applicationdocument_changelist
    admin:childcare_applicationdocument_delete admin:childcare_applicationdocument_history
    admin:childcare_applicationevent_add admin:childcare_applicationevent_changelist
    admin:childcare_backgroundjob_change admin:childcare_backgroundjob_changelist
    admin:childcare_backgroundjob_delete admin:childcare_backgroundjob_history
    admin:childcare_capacity_add admin:childcare_capacity_change admin:childcare_capacity_changelist
    admin:childcare_capacity_delete admin:childcare_capacity_history admin:childcare_child_add
    admin:childcare_child_change admin:childcare_child_changelist admin:childcare_child_delete
    admin:childcare_child_history admin:childcare_facility_add admin:childcare_facility_change
    admin:childcare_facility_changelist admin:childcare_facility_delete admin:childcare_facility_history
    admin:childcare_guardianinvitation_add admin:childcare_guardianinvitation_change
    admin:childcare_guardianinvitation_changelist admin:childcare_guardianinvitation_delete
    admin:childcare_guardianinvitation_history admin:childcare_guardianship_add
    admin:childcare_guardianship_change admin:childcare_guardianship_changelist
    admin:childcare_guardianship_delete admin:childcare_guardianship_history
    admin:childcare_offer_change admin:childcare_offer_changelist admin:childcare_offer_delete
    admin:childcare_offer_history admin:childcare_placement_change admin:childcare_placement_changelist
    admin:childcare_placement_delete admin:childcare_placement_history
    admin:childcare_prioritypolicy_add admin:childcare_prioritypolicy_changelist
    admin:childcare_provider_add admin:childcare_provider_change admin:childcare_provider_changelist
    admin:childcare_provider_delete admin:childcare_provider_history admin:childcare_staffmembership_add
    admin:childcare_staffmembership_change admin:childcare_staffmembership_changelist
    admin:childcare_staffmembership_delete admin:childcare_staffmembership_history
    admin:childcare_wish_add admin:childcare_wish_change admin:childcare_wish_changelist
    admin:childcare_wish_delete admin:childcare_wish_history admin:index admin:jsi18n
    admin:mfa_authenticator_add admin:mfa_authenticator_change admin:mfa_authenticator_changelist
    admin:mfa_authenticator_delete admin:mfa_authenticator_history
    admin:notifications_notificationpreference_add admin:notifications_notificationpreference_changelist
    admin:notifications_outboxmessage_add admin:notifications_outboxmessage_change
    admin:notifications_outboxmessage_changelist admin:notifications_outboxmessage_delete
    admin:notifications_outboxmessage_history admin:password_change admin:password_change_done
    admin:portal_portalsettings_change admin:portal_portalsettings_changelist
    admin:portal_portalsettings_history admin:portal_user_add admin:portal_user_change
    admin:portal_user_changelist admin:portal_user_delete admin:portal_user_history
    """,
    ("login", "login", "login", "login", "login", "login", "login", "200"),
)
_expect(
    """
    admin:auth_group_change admin:auth_group_delete admin:auth_group_history
    admin:childcare_applicationevent_change admin:childcare_applicationevent_delete
    admin:childcare_applicationevent_history admin:childcare_prioritypolicy_change
    admin:childcare_prioritypolicy_history admin:notifications_notificationpreference_change
    admin:notifications_notificationpreference_delete admin:notifications_notificationpreference_history
    """,
    ("login", "login", "login", "login", "login", "login", "login", "302 /admin/"),
)
_expect(
    """
    admin:autocomplete admin:childcare_backgroundjob_add admin:childcare_offer_add
    admin:childcare_placement_add admin:childcare_prioritypolicy_delete admin:portal_portalsettings_add
    admin:portal_portalsettings_delete
    """,
    ("login", "login", "login", "login", "login", "login", "login", "403"),
)
_expect(
    "admin:logout",
    (
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "405",
    ),
)
_expect(
    "api/v1/^.*$",
    ("404", "404", "404", "404", "404", "404", "404", "404"),
)
_expect(
    "api:my_application",
    ("401", "200", "404", "200", "404", "404", "404", "404"),
)
_expect(
    "api:my_applications api:my_children api:my_offers",
    ("401", "200", "200", "200", "200", "200", "200", "200"),
)
_expect(
    "api:offer_accept api:offer_decline",
    ("401", "405", "405", "405", "405", "405", "405", "405"),
)
_expect(
    "api:office_planning api:office_round api:office_rounds",
    ("401", "403", "403", "403", "403", "403", "200", "403"),
)
_expect(
    "api:staff_facilities",
    ("401", "403", "403", "403", "200", "200", "200", "403"),
)
_expect(
    "api:staff_placements api:staff_waitlist",
    ("401", "403", "403", "403", "200", "404", "200", "403"),
)
_expect(
    "api_tokens_revoke notifications:mark_all_read",
    ("login", "405", "405", "405", "405", "405", "405", "405"),
)
_expect(
    """
    backoffice:application backoffice:note_add backoffice:offer_make backoffice:offer_next
    backoffice:offer_withdraw backoffice:placement_record backoffice:waitlist backoffice:waitlist_csv
    backoffice:wish_reject
    """,
    ("login", "404", "404", "404", "200", "404", "200", "404"),
)
_expect(
    "backoffice:facilities",
    ("login", "404", "404", "404", "200", "200", "200", "404"),
)
_expect(
    """
    backoffice:audit_log backoffice:audit_log_csv
    backoffice:facility_import backoffice:job_progress backoffice:placements_csv
    backoffice:planning_overview backoffice:planning_unmet_csv backoffice:round_detail
    backoffice:round_list backoffice:round_results_csv
    """,
    ("login", "404", "404", "404", "404", "404", "200", "404"),
)
_expect(
    "backoffice:job_resume backoffice:round_compute",
    ("login", "404", "404", "404", "404", "404", "405", "404"),
)
_expect(
    "backoffice:round_publish",
    ("login", "404", "404", "404", "404", "404", "302 /verwaltung/vergabe/<id>/", "404"),
)
_expect(
    "favicon.ico",
    (
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
        "302 /static/portal/favicon.svg",
    ),
)
_expect(
    "letters:application_receipt_pdf letters:offer_letter_pdf parents:document_download",
    ("login", "200", "404", "200", "200", "404", "200", "404"),
)
_expect(
    "letters:placement_confirmation_pdf",
    ("login", "200", "404", "404", "200", "404", "200", "404"),
)
_expect(
    """
    mfa_activate_totp mfa_add_webauthn mfa_edit_webauthn mfa_generate_recovery_codes
    mfa_reauthenticate_webauthn mfa_remove_webauthn
    """,
    (
        "login",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
    ),
)
_expect(
    "mfa_deactivate_totp",
    (
        "login",
        "404",
        "404",
        "404",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
    ),
)
_expect(
    "mfa_download_recovery_codes mfa_view_recovery_codes parents:invitation_accept",
    ("login", "404", "404", "404", "404", "404", "404", "404"),
)
_expect(
    "mfa_reauthenticate",
    (
        "login",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "302 /konto/reauthenticate/",
        "200",
        "200",
        "200",
        "200",
    ),
)
_expect(
    "notifications:message",
    ("login", "200", "404", "404", "404", "404", "404", "404"),
)
_expect(
    """
    parents:application_detail parents:application_step_criteria parents:application_step_start
    parents:application_step_wishes
    """,
    ("login", "302 /antraege/", "404", "302 /antraege/", "404", "404", "404", "404"),
)
_expect(
    "parents:application_start",
    (
        "login",
        "200",
        "200",
        "200",
        "302 /kinder/neu/",
        "302 /kinder/neu/",
        "302 /kinder/neu/",
        "302 /kinder/neu/",
    ),
)
_expect(
    "parents:application_step_review",
    ("login", "302 /antraege/<id>/", "404", "302 /antraege/<id>/", "404", "404", "404", "404"),
)
_expect(
    """
    parents:application_withdraw parents:child_delete parents:child_edit parents:guardian_invite
    parents:offer_respond parents:wish_withdraw
    """,
    ("login", "200", "404", "200", "404", "404", "404", "404"),
)
_expect(
    """
    parents:document_delete parents:document_upload parents:interest_confirm parents:wish_add
    parents:wish_remove
    """,
    ("405", "405", "405", "405", "405", "405", "405", "405"),
)
_expect(
    "set_language",
    ("302 /", "302 /", "302 /", "302 /", "302 /", "302 /", "302 /", "302 /"),
)
