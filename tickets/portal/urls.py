from django.urls import path

from tickets.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.ticket_new, name="new"),
    path("coverage/", views.coverage, name="coverage"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/verdict/", views.ticket_verdict, name="verdict"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:pk>/manager/", views.ticket_escalate, name="escalate"),
    path("tickets/<int:pk>/rating/", views.ticket_rate, name="rate"),
    path("offers/<int:pk>/answer/", views.offer_answer, name="offer"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("statement/", views.statement, name="statement"),
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
]
