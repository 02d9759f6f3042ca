from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # Registers the tasks with the Celery app in every process (the web's too),
        # so the services can queue them by name without importing tickets.tasks,
        # which imports the services.
        import tickets.tasks  # noqa: F401
        from tickets.roles import grant_ticket_permissions

        post_migrate.connect(grant_ticket_permissions, sender=self)
