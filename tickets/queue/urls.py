from django.urls import path

from tickets.queue import incident_views, report_views, statement_views, views

app_name = "queue"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("assign/", views.bulk_assign, name="bulk-assign"),
    path("customers/", views.customer_suggestions, name="customers"),
    path("bulk/", views.bulk_change, name="bulk-change"),
    path("news/", views.news, name="news"),
    path("views/", views.saved_view_save, name="view-save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="view-delete"),
    path("tickets/<int:pk>/row/<str:field>/", views.row_change, name="row-change"),
    path("time/", views.time_report, name="time-report"),
    path("reports/", report_views.report_page, name="reports"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", views.reply, name="reply"),
    path("tickets/<int:pk>/note/", views.note, name="note"),
    path("tickets/<int:pk>/assign/", views.assign, name="assign"),
    path("tickets/<int:pk>/status/", views.change_status, name="status"),
    path("tickets/<int:pk>/priority/", views.change_priority, name="priority"),
    path("tickets/<int:pk>/service/", views.change_service, name="service"),
    path("tickets/<int:pk>/time/", views.log_time, name="time"),
    path("tickets/<int:pk>/override/", views.override, name="override"),
    path("tickets/<int:pk>/incident/", incident_views.ticket_incident, name="ticket-incident"),
    path("statements/", statement_views.statement_list, name="statements"),
    path(
        "statements/<slug:slug>/<str:month>/",
        statement_views.statement_detail,
        name="statement",
    ),
    path(
        "statements/<slug:slug>/<str:month>/close/",
        statement_views.statement_close,
        name="statement-close",
    ),
    path(
        "statements/<slug:slug>/<str:month>/goodwill/",
        statement_views.statement_goodwill,
        name="statement-goodwill",
    ),
    path("incidents/", incident_views.incident_list, name="incidents"),
    path("incidents/new/", incident_views.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", incident_views.incident_detail, name="incident"),
    path("incidents/<int:pk>/update/", incident_views.incident_update, name="incident-update"),
    path("incidents/<int:pk>/resolve/", incident_views.incident_resolve, name="incident-resolve"),
    path("incidents/<int:pk>/review/", incident_views.incident_review, name="incident-review"),
]
