"""The tickets REST API under /api/v1/: see ``views`` for who may do what and
``serializers`` for what contacts and staff each read; the incidents' are in
``incidents`` (views and filters) and ``incident_serializers``; the monthly
statement's in ``statements``."""

from tickets.api.incidents import IncidentViewSet
from tickets.api.statements import StatementView
from tickets.api.views import (
    AllowanceView,
    AttachmentViewSet,
    CannedReplyViewSet,
    DecisionViewSet,
    MessageViewSet,
    OfferViewSet,
    TicketViewSet,
    TimeEntryViewSet,
    UptimeView,
)

__all__ = [
    "AllowanceView",
    "AttachmentViewSet",
    "CannedReplyViewSet",
    "DecisionViewSet",
    "IncidentViewSet",
    "MessageViewSet",
    "OfferViewSet",
    "StatementView",
    "TicketViewSet",
    "TimeEntryViewSet",
    "UptimeView",
]
