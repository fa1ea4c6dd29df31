from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from evidence import urls as evidence_urls
from optout.views import coverage, home, jobs, ledger, lookups, members, mfa, settings, tokens

# The admin signs in through allauth, so it shares its rate limits and MFA.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Optout"

label_urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.dashboard, name="dashboard"),
    path("coverage/refresh/", coverage.coverage_refresh_view, name="coverage_refresh"),
    path("coverage/settings/", coverage.coverage_settings_view, name="coverage_settings"),
    path("coverage/report.csv", coverage.coverage_csv, name="coverage_csv"),
    path("coverage/report.pdf", coverage.coverage_pdf, name="coverage_pdf"),
    path("members/", members.members, name="members"),
    path("members/<uuid:code>/role/", members.member_role, name="member_role"),
    path("members/<uuid:code>/remove/", members.member_remove, name="member_remove"),
    path(
        "invitations/<uuid:code>/revoke/", members.invitation_revoke_view, name="invitation_revoke"
    ),
    path("settings/", settings.label_settings, name="label_settings"),
    path("settings/domains/", settings.domain_add, name="domain_add"),
    path("settings/domains/<uuid:code>/remove/", settings.domain_remove, name="domain_remove"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/<uuid:code>/", jobs.job_detail, name="job"),
    path("ledger/", ledger.ledger, name="ledger"),
    path("lookup/<slug:kind>/", lookups.lookup, name="lookup"),
    path("policy/", include("optout.policy.urls")),
    path("catalog/", include("catalog.urls")),
    path("evidence/", include("evidence.urls")),
    path("notices/", include("notices.urls")),
    path("monitoring/", include("monitoring.urls")),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("labels/", home.labels, name="labels"),
    path("l/<slug:slug>/", include(label_urlpatterns)),
    path("s/<slug:slug>/", include("optout.policy.public_urls")),
    path("invitations/<str:token>/", members.invitation, name="invitation"),
    path("verify/", include(evidence_urls.verify_urlpatterns)),
    path("n/", include("notices.public_urls")),
    path("r/", include("monitoring.public_urls")),
    # Mail-service webhooks where django-anymail documents them (/anymail/<esp>/tracking/).
    path("anymail/", include("notices.anymail_urls")),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<uuid:code>/revoke/", tokens.token_revoke_view, name="token_revoke"),
    # Before allauth's own route of the same name: this one returns to where the user was.
    path("accounts/2fa/totp/activate/", mfa.activate_totp, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", home.healthz, name="healthz"),
    path("api/v1/", include("optout.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]

handler400 = "optout.views.errors.bad_request"
handler403 = "optout.views.errors.permission_denied"
handler404 = "optout.views.errors.page_not_found"
handler500 = "optout.views.errors.server_error"
