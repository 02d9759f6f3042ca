"""The admin site (/admin/): the contract editor and the rest, for leads and admins.

Django's own site lets every active staff member in and sends anyone it refuses
to its login form; a technician, already logged in, would land on that form again
and again. Here whoever is logged in but may not enter gets a plain page that
says so, with a way back to their own work."""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _


class ScopedeskAdminSite(admin.AdminSite):
    site_header = "Scopedesk"
    site_title = "Scopedesk"
    index_title = _("Contract editor")

    def has_permission(self, request) -> bool:
        # Imported here: this module is loaded with the app registry, before models.
        from contracts.roles import may_use_admin

        return may_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                return self.no_access(request)
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            return self.no_access(request)
        return super().login(request, extra_context)

    def no_access(self, request) -> TemplateResponse:
        response = TemplateResponse(request, "admin/no_access.html", status=403)
        add_never_cache_headers(response)
        return response


class ScopedeskAdminConfig(AdminConfig):
    default_site = "helpdesk.admin_site.ScopedeskAdminSite"

    def ready(self):
        super().ready()
        # The project package has no app of its own; its checks register here.
        from helpdesk import checks  # noqa: F401
