from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from contracts import api as contracts_api
from tickets import api, views
from tickets.accounts import ContactPasswordResetForm, LoginForm

router = DefaultRouter()
router.register("tickets", api.TicketViewSet, basename="ticket")
router.register("messages", api.MessageViewSet, basename="message")
router.register("decisions", api.DecisionViewSet, basename="decision")
router.register("offers", api.OfferViewSet, basename="offer")
router.register("time-entries", api.TimeEntryViewSet, basename="time-entry")
router.register("attachments", api.AttachmentViewSet, basename="attachment")
router.register("canned-replies", api.CannedReplyViewSet, basename="canned-reply")
router.register("incidents", api.IncidentViewSet, basename="incident")
router.register("services", contracts_api.ServiceViewSet, basename="service")
router.register("customers", contracts_api.CustomerViewSet, basename="customer")
router.register("contacts", contracts_api.ContactViewSet, basename="contact")
router.register("contracts", contracts_api.ContractViewSet, basename="contract")
router.register("clauses", contracts_api.ClauseViewSet, basename="clause")
router.register("sla-targets", contracts_api.SlaTargetViewSet, basename="sla-target")
router.register("uptime-credits", contracts_api.UptimeCreditViewSet, basename="uptime-credit")
router.register("top-ups", contracts_api.TopUpViewSet, basename="top-up")
router.register("reply-wordings", contracts_api.ReplyWordingViewSet, basename="reply-wording")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that link no icon (the API's JSON)."""
    return redirect(static("favicon.svg"), permanent=False)


urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", favicon),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=ContactPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # Before Django's own: the menu's choice is a contact's language for replies too.
    path("i18n/setlang/", views.language_choose, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("tickets.portal.urls")),
    path("queue/", include("tickets.queue.urls")),
    path("offers/<str:token>/", views.offer_by_link, name="offer-link"),
    path("admin/", admin.site.urls),
    path("api/v1/allowance/", api.AllowanceView.as_view(), name="allowance"),
    path("api/v1/uptime/", api.UptimeView.as_view(), name="uptime"),
    path("api/v1/statements/", api.StatementView.as_view(), name="statements"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file, so the CSP needs no inline script.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# Under /api/ these answer JSON, elsewhere the desk's own pages.
handler400 = "helpdesk.errors.bad_request"
handler403 = "helpdesk.errors.permission_denied"
handler404 = "helpdesk.errors.page_not_found"
handler500 = "helpdesk.errors.server_error"
