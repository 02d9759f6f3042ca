from django.urls import path

from tickets.queue import views

app_name = "queue"
urlpatterns = [
    path("", views.ticket_list, name="list"),
]
