from django.urls import path

from tickets.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.ticket_new, name="new"),
    path("coverage/", views.coverage, name="coverage"),
]
