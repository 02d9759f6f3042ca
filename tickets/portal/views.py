"""The customer ticket portal (being built: see issue 4)."""

from django.http import HttpResponse


def ticket_list(request):
    return HttpResponse("portal")


ticket_new = coverage = ticket_list
