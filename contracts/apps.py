from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from contracts.models import terms_changed
        from contracts.roles import ensure_staff_groups
        from contracts.selectors import TERMS_MODELS

        post_migrate.connect(ensure_staff_groups, sender=self)
        for model in TERMS_MODELS:
            post_save.connect(terms_changed, sender=model, dispatch_uid=f"terms-{model.__name__}")
            post_delete.connect(terms_changed, sender=model, dispatch_uid=f"terms-{model.__name__}")
        post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="terms-user")


def _user_saved(update_fields=None, **kwargs) -> None:
    """A contact's e-mail address is part of the terms (who may open tickets);
    a login, which saves only ``last_login``, is not."""
    from contracts.models import terms_changed

    if update_fields is None or "email" in update_fields:
        terms_changed()
