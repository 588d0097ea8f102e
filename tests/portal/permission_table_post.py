"""The expected outcome of a POST without fields to every URL for every persona.

Refusals are the GET's (login, 403, 404, 405) and write nothing; allowed requests answer what their
form answers to no data (shown again: 200; a redirect back) and never 500. Every URL is listed,
so a new one needs a decision here too.
"""

from tests.portal.matrix_scene import PERSONAS
from tests.portal.permission_table import EXPECTED

POST_EXPECTED: dict[str, tuple[str, ...]] = {}


def _expect_post(names: str, outcomes: tuple[str, ...]) -> None:
    assert len(outcomes) == len(PERSONAS)
    for name in names.split():
        assert name not in POST_EXPECTED, name
        POST_EXPECTED[name] = outcomes


def _post_as_get(names: str) -> None:
    """A POST is answered like the GET: refused alike, or the form shown again with its errors."""
    for name in names.split():
        _expect_post(name, EXPECTED[name])


_post_as_get(
    """
    account_change_password account_confirm_login_code account_confirm_reauthentication_code
    account_data account_data_download account_login account_reauthenticate
    account_request_reauthentication_code account_reset_password account_reset_password_from_key
    account_set_password account_signup admin/(?P<url>.*)$ admin/login/
    admin:account_emailaddress_add admin:account_emailaddress_change
    admin:account_emailaddress_changelist admin:account_emailaddress_delete
    admin:account_emailaddress_history admin:app_list admin:auth_group_add admin:auth_group_change
    admin:auth_group_changelist admin:auth_group_delete admin:auth_group_history
    admin:auth_user_password_change admin:childcare_application_add
    admin:childcare_application_change admin:childcare_application_changelist
    admin:childcare_application_delete admin:childcare_application_history
    admin:childcare_applicationdocument_add admin:childcare_applicationdocument_change
    admin:childcare_applicationdocument_changelist admin:childcare_applicationdocument_delete
    admin:childcare_applicationdocument_history admin:childcare_applicationevent_add
    admin:childcare_applicationevent_change admin:childcare_applicationevent_changelist
    admin:childcare_applicationevent_delete admin:childcare_applicationevent_history
    admin:childcare_backgroundjob_add admin:childcare_backgroundjob_changelist
    admin:childcare_backgroundjob_delete admin:childcare_backgroundjob_history
    admin:childcare_capacity_add admin:childcare_capacity_change admin:childcare_capacity_changelist
    admin:childcare_capacity_delete admin:childcare_capacity_history admin:childcare_child_add
    admin:childcare_child_change admin:childcare_child_changelist admin:childcare_child_delete
    admin:childcare_child_history admin:childcare_facility_add admin:childcare_facility_change
    admin:childcare_facility_changelist admin:childcare_facility_delete
    admin:childcare_facility_history admin:childcare_guardianinvitation_add
    admin:childcare_guardianinvitation_change admin:childcare_guardianinvitation_changelist
    admin:childcare_guardianinvitation_delete admin:childcare_guardianinvitation_history
    admin:childcare_guardianship_add admin:childcare_guardianship_change
    admin:childcare_guardianship_changelist admin:childcare_guardianship_delete
    admin:childcare_guardianship_history admin:childcare_offer_add admin:childcare_offer_change
    admin:childcare_offer_changelist admin:childcare_offer_delete admin:childcare_offer_history
    admin:childcare_placement_add admin:childcare_placement_change
    admin:childcare_placement_changelist admin:childcare_placement_delete
    admin:childcare_placement_history admin:childcare_prioritypolicy_add
    admin:childcare_prioritypolicy_change admin:childcare_prioritypolicy_changelist
    admin:childcare_prioritypolicy_delete admin:childcare_prioritypolicy_history
    admin:childcare_provider_add admin:childcare_provider_change admin:childcare_provider_changelist
    admin:childcare_provider_delete admin:childcare_provider_history
    admin:childcare_staffmembership_add admin:childcare_staffmembership_change
    admin:childcare_staffmembership_changelist admin:childcare_staffmembership_delete
    admin:childcare_staffmembership_history admin:childcare_webhookdelivery_add
    admin:childcare_webhookdelivery_change admin:childcare_webhookdelivery_changelist
    admin:childcare_webhookdelivery_delete admin:childcare_webhookdelivery_history
    admin:childcare_webhookendpoint_add admin:childcare_webhookendpoint_change
    admin:childcare_webhookendpoint_changelist admin:childcare_webhookendpoint_delete
    admin:childcare_webhookendpoint_history admin:childcare_wish_add admin:childcare_wish_change
    admin:childcare_wish_changelist admin:childcare_wish_delete admin:childcare_wish_history
    admin:index admin:login admin:mfa_authenticator_add admin:mfa_authenticator_change
    admin:mfa_authenticator_changelist admin:mfa_authenticator_delete
    admin:mfa_authenticator_history admin:notifications_deliverypause_add
    admin:notifications_deliverypause_changelist admin:notifications_deliverypause_delete
    admin:notifications_deliverypause_history admin:notifications_notificationpreference_add
    admin:notifications_notificationpreference_change
    admin:notifications_notificationpreference_changelist
    admin:notifications_notificationpreference_delete
    admin:notifications_notificationpreference_history admin:notifications_outboxmessage_add
    admin:notifications_outboxmessage_change admin:notifications_outboxmessage_changelist
    admin:notifications_outboxmessage_delete admin:notifications_outboxmessage_history
    admin:password_change admin:portal_portalsettings_add admin:portal_portalsettings_change
    admin:portal_portalsettings_changelist admin:portal_portalsettings_delete
    admin:portal_portalsettings_history admin:portal_user_add admin:portal_user_change
    admin:portal_user_changelist admin:portal_user_delete admin:portal_user_history
    admin:view_on_site api/v1/^.*$ api_tokens backoffice:application backoffice:audit_log
    backoffice:audit_log_csv backoffice:facilities backoffice:facility_import
    backoffice:job_progress backoffice:note_add backoffice:offer_make backoffice:offer_next
    backoffice:placement_record backoffice:placements_csv backoffice:planning_overview
    backoffice:planning_unmet_csv backoffice:round_detail backoffice:round_list
    backoffice:round_publish backoffice:round_results_csv backoffice:waitlist
    backoffice:waitlist_csv backoffice:wish_reject favicon.ico home imprint
    letters:application_receipt_pdf letters:offer_letter_pdf letters:placement_confirmation_pdf
    mfa_activate_totp mfa_add_webauthn mfa_authenticate mfa_deactivate_totp
    mfa_download_recovery_codes mfa_edit_webauthn mfa_generate_recovery_codes mfa_reauthenticate
    mfa_reauthenticate_webauthn mfa_remove_webauthn notifications:inbox notifications:message
    notifications_office:failed parents:application_detail parents:application_list
    parents:application_start parents:application_step_criteria parents:application_step_review
    parents:application_step_start parents:application_step_wishes parents:child_create
    parents:child_edit parents:child_list parents:document_download parents:facility_detail
    parents:facility_search parents:guardian_invite parents:interest_confirm_link
    parents:invitation_accept parents:offer_respond privacy set_language
    """
)
# A key that does not exist: allauth answers a POST (the confirmation itself) with 404.
_expect_post("account_confirm_email", ("404",) * 8)
_expect_post(
    """
    account_email
    """,
    (
        "login",
        "302 /konto/email/",
        "302 /konto/email/",
        "302 /konto/email/",
        "302 /konto/email/",
        "302 /konto/email/",
        "302 /konto/email/",
        "302 /konto/email/",
    ),
)
# Pages that only show something.
_expect_post(
    """
    account_email_verification_sent account_inactive account_reset_password_done
    account_reset_password_from_key_done api:docs api:facility_detail api:facility_list
    api:open_data_csv api:open_data_geojson api:redoc api:schema health_ping
    """,
    ("405",) * 8,
)
_expect_post("account_logout", ("302 /",) * 8)
# Read-only admin views.
_expect_post(
    """
    admin:autocomplete admin:jsi18n admin:password_change_done
    """,
    ("login", "login", "login", "login", "login", "login", "login", "405"),
)
# Rows the portal writes itself: visible in the admin, never changed there.
_expect_post(
    """
    admin:childcare_backgroundjob_change admin:notifications_deliverypause_change
    """,
    ("login", "login", "login", "login", "login", "login", "login", "403"),
)
# The admin signs out by POST only; everyone else meets the sign-in redirect first.
_expect_post(
    """
    admin:logout
    """,
    (
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "302 /admin/",
        "200",
    ),
)
# The API's actions are POSTs: the guardians' key does it, everyone else learns nothing.
_expect_post(
    """
    api:confirm_interest api:offer_accept api:offer_decline
    """,
    ("401", "200", "404", "200", "404", "404", "404", "404"),
)
# Read-only endpoints: 405 once the key is known.
_expect_post(
    """
    api:my_application api:my_applications api:my_children api:my_offers
    """,
    ("401", "405", "405", "405", "405", "405", "405", "405"),
)
_expect_post(
    """
    api:office_planning api:office_round api:office_rounds
    """,
    ("401", "403", "403", "403", "403", "403", "405", "403"),
)
_expect_post(
    """
    api:staff_facilities api:staff_placements api:staff_waitlist
    """,
    ("401", "403", "403", "403", "405", "405", "405", "403"),
)
# Without fields the API says what is missing (400), after the permission check.
_expect_post(
    """
    api:staff_offer_make api:staff_wish_reject
    """,
    ("401", "403", "403", "403", "400", "404", "400", "403"),
)
_expect_post(
    """
    api_tokens_revoke
    """,
    ("login", "302 /konto/api-tokens/", "404", "404", "404", "404", "404", "404"),
)
# The office's actions on rounds and jobs, answered with the progress or round page.
_expect_post(
    """
    backoffice:job_resume
    """,
    ("login", "404", "404", "404", "404", "404", "302 /verwaltung/auftraege/<id>/", "404"),
)
_expect_post(
    """
    backoffice:offer_withdraw
    """,
    (
        "login",
        "404",
        "404",
        "404",
        "302 /verwaltung/kita-x/warteliste/",
        "404",
        "302 /verwaltung/kita-x/warteliste/",
        "404",
    ),
)
_expect_post(
    """
    backoffice:round_compute
    """,
    ("login", "404", "404", "404", "404", "404", "302 /verwaltung/vergabe/<id>/", "404"),
)
# A POST without a URL is a pause/delete of an endpoint: none named, so 404 (also for the
# resend of a message that does not exist).
_expect_post(
    """
    backoffice:webhooks notifications_office:resend
    """,
    ("login", "404", "404", "404", "404", "404", "404", "404"),
)
_expect_post(
    """
    mfa_index mfa_list_webauthn mfa_view_recovery_codes
    """,
    ("login", "405", "405", "405", "405", "405", "405", "405"),
)
_expect_post(
    """
    notifications:mark_all_read
    """,
    (
        "login",
        "302 /postfach/",
        "302 /postfach/",
        "302 /postfach/",
        "302 /postfach/",
        "302 /postfach/",
        "302 /postfach/",
        "302 /postfach/",
    ),
)
# An empty form means every optional e-mail off; marking read needs no fields.
_expect_post(
    """
    notifications:preferences
    """,
    (
        "login",
        "302 /postfach/einstellungen/",
        "302 /postfach/einstellungen/",
        "302 /postfach/einstellungen/",
        "302 /postfach/einstellungen/",
        "302 /postfach/einstellungen/",
        "302 /postfach/einstellungen/",
        "302 /postfach/einstellungen/",
    ),
)
_expect_post(
    """
    parents:application_withdraw parents:interest_confirm parents:wish_withdraw
    """,
    ("login", "302 /antraege/", "404", "302 /antraege/", "404", "404", "404", "404"),
)
_expect_post(
    """
    parents:child_delete
    """,
    ("login", "302 /kinder/", "404", "302 /kinder/", "404", "404", "404", "404"),
)
_expect_post(
    """
    parents:document_delete parents:document_upload
    """,
    (
        "login",
        "302 /antraege/<id>/kriterien/",
        "404",
        "302 /antraege/<id>/kriterien/",
        "404",
        "404",
        "404",
        "404",
    ),
)
_expect_post("parents:wish_add", ("302 /einrichtungen/kita-x/",) * 8)
_expect_post("parents:wish_remove", ("302 /einrichtungen/",) * 8)
