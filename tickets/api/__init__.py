"""The tickets REST API under /api/v1/: see ``views`` for who may do what and
``serializers`` for what contacts and staff each read; ``incidents`` holds the
incidents' views, serializers and filters together."""

from tickets.api.incidents import IncidentViewSet
from tickets.api.views import (
    AllowanceView,
    AttachmentViewSet,
    CannedReplyViewSet,
    DecisionViewSet,
    MessageViewSet,
    OfferViewSet,
    TicketViewSet,
    TimeEntryViewSet,
)

__all__ = [
    "AllowanceView",
    "AttachmentViewSet",
    "CannedReplyViewSet",
    "DecisionViewSet",
    "IncidentViewSet",
    "MessageViewSet",
    "OfferViewSet",
    "TicketViewSet",
    "TimeEntryViewSet",
]
