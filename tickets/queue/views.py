"""The technicians' queue (being built: see issue 4)."""

from django.http import HttpResponse


def ticket_list(request):
    return HttpResponse("queue")
