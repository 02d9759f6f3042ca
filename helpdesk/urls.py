from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from tickets import api, views

router = DefaultRouter()
router.register("tickets", api.TicketViewSet, basename="ticket")
router.register("offers", api.OfferViewSet, basename="offer")
router.register("attachments", api.AttachmentViewSet, basename="attachment")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("offers/<str:token>/", views.offer_by_link, name="offer-link"),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
