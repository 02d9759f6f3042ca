"""The desk's limits on its own automatic e-mail: never to itself, and at most
``MAIL_AUTO_REPLIES_PER_HOUR`` to one sender an hour, so two desks answering
each other's replies, or a script filing tickets in a loop, stop at once."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import Channel, Message, Ticket


def desk_addresses() -> set[str]:
    """The desk's own addresses, lower case, whatever form the settings use."""
    return {
        parseaddr(value)[1].lower()
        for value in [*settings.SUPPORT_ADDRESSES, settings.DEFAULT_FROM_EMAIL]
        if parseaddr(value)[1]
    }


def auto_reply_withheld(ticket: Ticket) -> str:
    """Why the automatic reply to an e-mailed ticket is not e-mailed ("" when it
    may be): the requester had the hour's automatic replies already. The reply is
    kept on the ticket all the same; portal and API tickets are answered there."""
    if ticket.channel != Channel.EMAIL:
        return ""
    since = timezone.now() - timedelta(hours=1)
    sent = (
        Message.objects.filter(
            kind=Message.Kind.AUTOMATIC,
            ticket__requester_id=ticket.requester_id,
            ticket__channel=Channel.EMAIL,
            created_at__gte=since,
        )
        .exclude(delivery=Message.Delivery.NOT_EMAILED)
        .count()
    )
    if sent < settings.MAIL_AUTO_REPLIES_PER_HOUR:
        return ""
    return _("Not e-mailed: %(n)d automatic replies to this sender in the last hour.") % {"n": sent}
