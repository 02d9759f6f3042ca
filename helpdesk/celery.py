import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="helpdesk.heartbeat", time_limit=10, soft_time_limit=5, ignore_result=True)
def heartbeat() -> None:
    """Run by a worker on beat's schedule; /readyz reads the time it leaves."""
    from helpdesk.health import heartbeat_record

    heartbeat_record()
