"""What was asked and what was done: tickets, messages, decisions, offers, time;
and what we owe when we fail: incidents, their notices, uptime credits."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models import (
    LANGUAGE_CHOICES,
    PRICING_CHOICES,
    PRIORITY_CHOICES,
    VERDICT_CHOICES,
    Clause,
    Contact,
    Contract,
    Customer,
    Service,
)
from tickets.storage import AttachmentStorage


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision on offer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    # The groups every face reads, set just below the class (an enum's body can
    # only name its members). Each status is in exactly one of the first three.
    OUR_TURN: ClassVar[tuple[Status, ...]]  # the desk owes work; the SLA clock runs
    CUSTOMERS_TURN: ClassVar[tuple[Status, ...]]  # a reply or an answer to an offer
    DONE: ClassVar[tuple[Status, ...]]
    UNRESOLVED: ClassVar[tuple[Status, ...]]  # what "open" means on the queue and the portal
    # Unresolved, but not waiting for the answer to an offer: the desk can still
    # review the ticket (the queue's "needs review").
    REVIEWABLE: ClassVar[tuple[Status, ...]]


Status.OUR_TURN = (Status.NEW, Status.OPEN)
Status.CUSTOMERS_TURN = (Status.WAITING_ON_CUSTOMER, Status.AWAITING_DECISION)
Status.DONE = (Status.RESOLVED, Status.CLOSED)
Status.UNRESOLVED = Status.OUR_TURN + Status.CUSTOMERS_TURN
Status.REVIEWABLE = tuple(s for s in Status.UNRESOLVED if s != Status.AWAITING_DECISION)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")


class Delivery(models.TextChoices):
    """Where an e-mail stands (a message's, an incident notice's). pending →
    sending (claimed for a lease) → sent, or back to pending after a temporary
    failure, or failed for good. Internal notes and the customer's own messages
    are not e-mailed."""

    NOT_EMAILED = "none", _("Not e-mailed")
    PENDING = "pending", _("E-mail queued")
    SENDING = "sending", _("E-mail being sent")
    SENT = "sent", _("E-mailed")
    FAILED = "failed", _("Could not be e-mailed")


def new_message_id() -> str:
    """An e-mail Message-ID, so that mail about a ticket threads together."""
    return f"<{uuid.uuid4().hex}@scopedesk>"


class EmailDelivery(models.Model):
    """What every e-mail the desk sends keeps about its delivery: a ticket's
    message, an incident notice, a credit notice. The sweep claims a row for a
    lease, so each is sent at least once and never twice (services/mail.py)."""

    Delivery = Delivery

    message_id = models.CharField(
        _("e-mail Message-ID"), max_length=200, unique=True, default=new_message_id
    )
    delivery = models.CharField(
        _("e-mail delivery"), max_length=8, choices=Delivery.choices, default=Delivery.PENDING
    )
    # While sending: when the claim runs out and another worker may take it again.
    delivery_lease_until = models.DateTimeField(_("sending until"), null=True, blank=True)
    delivery_attempts = models.PositiveIntegerField(_("e-mail attempts"), default=0)
    delivery_error = models.TextField(_("e-mail error"), blank=True)
    # When the e-mail went out; NULL while it waits (or never will: see delivery).
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class TicketManager(models.Manager["Ticket"]):
    def get_queryset(self) -> models.QuerySet[Ticket]:
        # ``search_vector`` is read only inside the database (tickets/search.py):
        # loaded, it would cross the wire with every ticket and be written back by
        # every full save, for the trigger to compute it again anyway.
        return super().get_queryset().defer("search_vector")


class Ticket(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    picked_service = models.ForeignKey(
        Service,
        verbose_name=_("service picked"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The service the requester chose, if any."),
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=PRIORITY_CHOICES, default="normal"
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="en")
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.PORTAL
    )
    verdict = models.CharField(_("verdict"), max_length=16, choices=VERDICT_CHOICES, blank=True)
    # The outage this ticket reports: answered with the incident's news, costs no
    # allowance, resolved with it.
    incident = models.ForeignKey(
        "Incident",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # SLA: the clock starts at sla_started_at and stops while waiting on the customer.
    sla_started_at = models.DateTimeField(_("SLA clock started"), null=True, blank=True)
    first_response_due = models.DateTimeField(
        _("first response due"), null=True, blank=True, db_index=True
    )
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA clock paused"), null=True, blank=True)
    sla_paused_minutes = models.PositiveIntegerField(_("SLA minutes paused"), default=0)
    sla_breached_at = models.DateTimeField(_("SLA breached"), null=True, blank=True)
    # The deadline the assignee was last warned of: each deadline is warned of once.
    sla_warned_due = models.DateTimeField(_("deadline warned of"), null=True, blank=True)
    # The next SLA deadline: the first response until there is one, then the
    # resolution. Computed by the database, so the queue can sort on an index.
    sla_due = models.GeneratedField(
        verbose_name=_("next SLA deadline"),
        expression=models.Case(
            models.When(first_responded_at__isnull=True, then=models.F("first_response_due")),
            default=models.F("resolution_due"),
        ),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )
    message_id = models.CharField(
        _("e-mail Message-ID"), max_length=200, unique=True, editable=False, default=new_message_id
    )
    # The subject and body's words for full-text search, on PostgreSQL only: a
    # trigger fills it on every insert and update, COPY included, in the ticket's
    # language's configuration, and a GIN index serves it (migration 0020;
    # tickets/search.py reads it). Never written by the ORM; empty on SQLite.
    search_vector = SearchVectorField(_("search vector"), null=True, editable=False)

    objects = TicketManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The queue's order (next SLA deadline, then id), alone and within a
            # status or a customer: the first page is read off the index.
            models.Index(fields=["sla_due", "id"]),
            models.Index(fields=["status", "sla_due", "id"]),
            models.Index(fields=["customer", "sla_due", "id"]),
            # With the incident: a verdict's capped count (tickets/paging.py) leaves
            # open incidents' tickets out off the index alone.
            models.Index(fields=["verdict"], include=["incident"], name="ticket_verdict_incident"),
            models.Index(fields=["customer", "created_at"]),
            models.Index(fields=["decided_at", "created_at"]),
            # The leads' reports (tickets/reports.py): a month's tickets with all the
            # columns its verdict and SLA figures read, off the index alone (on
            # PostgreSQL; elsewhere ``include`` is left out)...
            models.Index(
                fields=["created_at"],
                include=[
                    "id",
                    "verdict",
                    "priority",
                    "sla_started_at",
                    "first_response_due",
                    "first_responded_at",
                    "resolution_due",
                    "resolved_at",
                    "customer",
                    "contract",
                    "assignee",
                    "incident",
                ],
                name="ticket_month_report",
            ),
            # ...and a narrow one for the time and offers that join their ticket for
            # its customer, contract or assignee, a tenth of the table's size.
            models.Index(
                fields=["id"],
                include=["customer", "contract", "assignee", "incident"],
                name="ticket_owners",
            ),
            # The queue's counts of every saved view (queue_counts): the unresolved
            # tickets with all the columns the counts read, off the index alone
            # however many resolved tickets the desk keeps.
            models.Index(
                fields=["status"],
                include=[
                    "id",
                    "assignee",
                    "verdict",
                    "sla_due",
                    "sla_breached_at",
                    "sla_paused_at",
                    "incident",
                ],
                condition=Q(status__in=Status.UNRESOLVED),
                name="ticket_unresolved_counts",
            ),
            # A contact's own tickets in the portal, newest first: a deep page's ids
            # are read off this index alone...
            # ...and, with the status, the list's counts by state.
            models.Index(
                fields=["customer", "requester", "created_at", "id"],
                include=["status"],
                name="ticket_portal_mine",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class ScopeDecision(models.Model):
    """One verdict on a ticket. A later decision (a changed service, an override)
    supersedes it; exactly one decision of a ticket is current."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="decisions"
    )
    verdict = models.CharField(_("verdict"), max_length=16, choices=VERDICT_CHOICES)
    reason = models.CharField(_("reason"), max_length=32)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), null=True, blank=True, on_delete=models.PROTECT
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.PROTECT
    )
    clause = models.ForeignKey(
        Clause, verbose_name=_("clause"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # The clause's wording and price as they were at that moment.
    clause_snapshot = models.JSONField(_("clause as it was"), default=dict, blank=True)
    usage_snapshot = models.JSONField(_("usage at that moment"), default=dict, blank=True)
    candidates = models.JSONField(_("candidate services"), default=list, blank=True)
    # Covered work that uses up one of the month's included tickets.
    counts_against_allowance = models.BooleanField(_("counts against the allowance"), default=False)
    starts_at = models.DateTimeField(_("work starts"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Blank: the scope engine."),
    )
    # A person named the service, so a later check takes it whatever the text says.
    service_confirmed = models.BooleanField(_("service confirmed"), default=False)
    is_override = models.BooleanField(_("override"), default=False)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["ticket", "created_at", "pk"]
        verbose_name = _("scope decision")
        verbose_name_plural = _("scope decisions")
        permissions = [("override_decision", "Can override a scope decision")]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(is_current=True), name="one_current_decision"
            ),
            models.CheckConstraint(
                condition=Q(is_override=False)
                | (Q(decided_by__isnull=False) & ~Q(override_reason="")),
                name="override_has_reason",
                violation_error_message=_("An override needs a written reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} on #{self.ticket_id}"


class DecisionPart(models.Model):
    """One request of a mixed ticket ("mail is down, and please install plugin
    X"), judged on its own: its service, verdict and clause, and its offer when it
    is paid. The decision as a whole follows its most urgent part."""

    decision = models.ForeignKey(
        ScopeDecision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="parts"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT)
    verdict = models.CharField(_("verdict"), max_length=16, choices=VERDICT_CHOICES)
    reason = models.CharField(_("reason"), max_length=32)
    clause = models.ForeignKey(
        Clause, verbose_name=_("clause"), null=True, blank=True, on_delete=models.SET_NULL
    )
    clause_snapshot = models.JSONField(_("clause as it was"), default=dict, blank=True)
    counts_against_allowance = models.BooleanField(_("counts against the allowance"), default=False)
    starts_at = models.DateTimeField(_("work starts"), null=True, blank=True)

    class Meta:
        ordering = ["decision", "position"]
        verbose_name = _("part of a decision")
        verbose_name_plural = _("parts of a decision")
        constraints = [
            models.UniqueConstraint(fields=["decision", "position"], name="one_part_per_position"),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} ({self.position}) on decision {self.decision_id}"


class Message(EmailDelivery):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Reply")
        INTERNAL = "internal", _("Internal note")
        AUTOMATIC = "automatic", _("Automatic reply")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    body = models.TextField(_("text"))
    decision = models.ForeignKey(
        ScopeDecision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )

    # Kinds that are e-mailed to the requester (when staff or the desk wrote them).
    EMAILED_KINDS = (Kind.PUBLIC, Kind.AUTOMATIC)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # The sweep's look-up: only messages still to send, the oldest first.
            models.Index(
                fields=["delivery_attempts", "created_at"],
                condition=Q(delivery__in=["pending", "sending"]),
                name="message_to_send",
            ),
        ]
        constraints = [
            # A retried task can never post a second automatic reply to one decision.
            models.UniqueConstraint(
                fields=["decision"], condition=Q(kind="automatic"), name="one_reply_per_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"


class Offer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        # A later decision (a lead's override, a changed service) took it back
        # before the customer answered: shown to them as withdrawn, not lapsed.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Kind(models.TextChoices):
        WORK = "work", _("Work")
        # The renewal of an ended contract: ``amount`` a month for ``term_months``.
        # Accepting it records the answer; a lead loads the new contract.
        RENEWAL = "renewal", _("Contract renewal")
        # Paid on-call work now, outside support hours, on an urgent covered
        # ticket. Declined or unanswered, the covered work waits for the opening.
        EMERGENCY = "emergency", _("On-call work")

    # The kinds that are work billed at their price once accepted (statements).
    BILLED_KINDS = (Kind.WORK, Kind.EMERGENCY)

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="offers"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.WORK)
    decision = models.ForeignKey(
        ScopeDecision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="offers"
    )
    # A mixed ticket's offers: one for each paid part.
    part = models.OneToOneField(
        DecisionPart,
        verbose_name=_("part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offer",
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    pricing = models.CharField(_("pricing"), max_length=8, choices=PRICING_CHOICES)
    estimate_minutes = models.PositiveIntegerField(_("estimate (minutes)"), null=True, blank=True)
    # A renewal's term: the ended contract's own length, as offered then.
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    expires_at = models.DateTimeField(_("expires"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="offer_amount_not_negative"),
            # A decision makes one offer, or one for each of its paid parts.
            models.UniqueConstraint(
                fields=["decision"], condition=Q(part=None), name="one_offer_per_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.status})"


class TimeEntry(models.Model):
    class Kind(models.TextChoices):
        ALLOWANCE = "allowance", _("Counted against the allowance")
        INCLUDED = "included", _("Included, not counted")
        BILLABLE = "billable", _("Billable")
        GOODWILL = "goodwill", _("Goodwill")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="time_entries"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT
    )
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1)])
    counted_minutes = models.PositiveIntegerField(
        _("counted minutes"), help_text=_("Minutes after rounding by the contract's unit.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    topup_minutes = models.PositiveIntegerField(
        _("top-up minutes"),
        default=0,
        help_text=_("Of the counted minutes, those drawn from prepaid top-ups."),
    )
    # On a mixed ticket: the part the work was for (none: the ticket's leading part).
    part = models.ForeignKey(
        DecisionPart,
        verbose_name=_("part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entries",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    worked_on = models.DateField(_("worked on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(counted_minutes__gte=models.F("minutes")),
                name="time_rounded_up_not_down",
            ),
        ]
        indexes = [
            # A month's goodwill or allowance minutes, for the reports, off the index.
            models.Index(
                fields=["kind", "worked_on"],
                include=["ticket", "technician", "counted_minutes", "topup_minutes"],
                name="time_kind_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on #{self.ticket_id}"


class AllowanceNotice(models.Model):
    """A notice that 80 % or 100 % of a month's allowance is used: sent once."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    measure = models.CharField(_("measure"), max_length=8)  # minutes or tickets
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))  # 80 or 100
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("allowance notice")
        verbose_name_plural = _("allowance notices")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month", "measure", "threshold"], name="one_notice_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.threshold} % for {self.month:%Y-%m}"


def _attachment_path(attachment: Attachment, filename: str) -> str:
    # A random name: the customer's file name is kept in the row, never on disk.
    return f"{attachment.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file a customer or technician added to a ticket (screenshot, log)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(_("file"), storage=AttachmentStorage(), upload_to=_attachment_path)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The file name as it was uploaded.")
    )
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """How the customer rated the help on a resolved ticket."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(_("score"), help_text=_("1 (poor) to 5 (excellent)"))
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 on #{self.ticket_id}"


class Escalation(models.Model):
    """A customer asked for a manager on a ticket; the account manager is told."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="escalations"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            # One open request at a time: asking twice does not page the manager twice.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(handled_at=None), name="one_open_escalation"
            ),
        ]

    def __str__(self) -> str:
        return f"escalation on #{self.ticket_id}"


class CannedReply(models.Model):
    """A reply technicians start from, so common answers read the same."""

    title = models.CharField(_("title"), max_length=100)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=LANGUAGE_CHOICES,
        blank=True,
        help_text=_("Blank: any language."),
    )
    body = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class CustomerAllowance(Customer):
    """The contract editor's view of each customer's allowance this month."""

    class Meta:
        proxy = True
        verbose_name = _("allowance this month")
        verbose_name_plural = _("allowances this month")


class Incident(models.Model):
    """Something of ours is broken (or will be, for announced maintenance): the
    desk tells the affected customers first, keeps them posted, and credits the
    downtime their contracts promise."""

    class Kind(models.TextChoices):
        OUTAGE = "outage", _("Outage")
        DEGRADED = "degraded", _("Degraded service")
        MAINTENANCE = "maintenance", _("Announced maintenance")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OUTAGE)
    services = models.ManyToManyField(
        Service, verbose_name=_("affected services"), related_name="incidents"
    )
    customers = models.ManyToManyField(
        Customer,
        verbose_name=_("affected customers"),
        blank=True,
        related_name="incidents",
        help_text=_("Blank: every customer whose contract includes an affected service."),
    )
    our_fault = models.BooleanField(
        _("our fault"), default=True, help_text=_("We say so plainly when it is.")
    )
    started_at = models.DateTimeField(_("started"))
    detected_at = models.DateTimeField(_("detected"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_incidents",
        help_text=_("The named person customers may contact."),
    )
    # The internal post-incident review: never shown to customers.
    cause = models.TextField(_("cause"), blank=True)
    changes = models.TextField(_("what we change"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(
                fields=["started_at"], condition=Q(resolved_at=None), name="incident_open"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at=None) | Q(resolved_at__gte=models.F("started_at")),
                name="incident_resolved_after_start",
                violation_error_message=_("An incident cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class IncidentUpdate(models.Model):
    """A public word on an incident: its opening, news, the all-clear. Each is
    e-mailed once to every affected contact."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        UPDATE = "update", _("Update")
        RESOLVED = "resolved", _("Resolved")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.UPDATE)
    # {"en": "...", "fi": "..."}: a language with no text gets the first one given,
    # with a line saying the translation follows.
    texts = models.JSONField(_("text per language"), default=dict)
    eta = models.DateTimeField(_("expected fix"), null=True, blank=True)
    next_update_at = models.DateTimeField(_("next update due"), null=True, blank=True)
    # The owner was warned that next_update_at passed with no update: once.
    overdue_warned_at = models.DateTimeField(_("owner warned"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        ordering = ["posted_at", "pk"]
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")
        indexes = [
            models.Index(
                fields=["next_update_at"],
                condition=Q(overdue_warned_at=None),
                name="incident_update_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on incident {self.incident_id}"


class IncidentNotice(EmailDelivery):
    """One update e-mailed to one contact: at least once, never twice (the same
    delivery claim as a ticket's messages)."""

    update = models.ForeignKey(
        IncidentUpdate, verbose_name=_("update"), on_delete=models.CASCADE, related_name="notices"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("incident notice")
        verbose_name_plural = _("incident notices")
        indexes = [
            models.Index(
                fields=["delivery_attempts", "created_at"],
                condition=Q(delivery__in=["pending", "sending"]),
                name="notice_to_send",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["update", "contact"], name="one_notice_per_contact"),
        ]

    def __str__(self) -> str:
        return f"notice of update {self.update_id} to {self.contact_id}"


class UptimeCredit(models.Model):
    """The credit a contract's uptime clause owes for a month: computed at month
    end, confirmed or adjusted (with a reason) by a lead, then told to the
    customer's managers."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="credits_owed"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    downtime_minutes = models.PositiveIntegerField(_("downtime (minutes)"))
    availability = models.DecimalField(_("availability (%)"), max_digits=7, decimal_places=3)
    credit_percent = models.DecimalField(_("credit (%)"), max_digits=5, decimal_places=2)
    computed_amount = models.DecimalField(_("computed credit"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("credit"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.TextField(
        _("reason for the change"), blank=True, help_text=_("Required when the amount differs.")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("computed"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "contract"]
        verbose_name = _("uptime credit owed")
        verbose_name_plural = _("uptime credits owed")
        permissions = [("confirm_credit", "Can confirm or adjust an uptime credit")]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="one_credit_per_month"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(computed_amount__gte=0),
                name="credit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.month:%Y-%m}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class CreditNotice(EmailDelivery):
    """A confirmed credit e-mailed to one of the customer's managers: at least
    once, never twice (the same delivery claim as a ticket's messages)."""

    credit = models.ForeignKey(
        UptimeCredit, verbose_name=_("credit"), on_delete=models.CASCADE, related_name="notices"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("credit notice")
        verbose_name_plural = _("credit notices")
        indexes = [
            models.Index(
                fields=["delivery_attempts", "created_at"],
                condition=Q(delivery__in=["pending", "sending"]),
                name="credit_notice_to_send",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit", "contact"], name="one_credit_notice_per_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"notice of credit {self.credit_id} to {self.contact_id}"


def _raw_mail_path(inbound: InboundMessage, filename: str) -> str:
    # Named by the bytes' hash: the same message delivered twice is one file.
    return f"mail/{inbound.sha256[:2]}/{inbound.sha256}.eml"


class InboundMessage(models.Model):
    """One e-mail that reached the desk, stored as it came (the raw .eml, saved
    before anything else) with what the desk made of it. The same message
    delivered twice (the same Message-ID, or the same bytes when it has none) is
    one row."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Received, not yet handled")
        TICKET_CREATED = "ticket_created", _("Ticket opened")
        REPLY_ADDED = "reply_added", _("Reply added")
        NOTE_ADDED = "note_added", _("Kept as an internal note")
        BOUNCE_RECORDED = "bounce_recorded", _("Bounce recorded")
        NOT_AUTHORIZED = "not_authorized", _("Sender is not a contact")
        IGNORED_AUTO = "ignored_auto", _("Automatic message, ignored")
        DUPLICATE = "duplicate", _("Delivered before")
        FAILED = "failed", _("Could not be handled")

    message_id = models.CharField(_("e-mail Message-ID"), max_length=250, blank=True)
    sha256 = models.CharField(_("SHA-256 of the raw message"), max_length=64, unique=True)
    raw = models.FileField(
        _("raw message"), storage=AttachmentStorage(), upload_to=_raw_mail_path, max_length=200
    )
    sender = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.RECEIVED
    )
    detail = models.TextField(_("detail"), blank=True)
    # The history and signature the reader took off the text: folded in the queue.
    quoted_text = models.TextField(_("quoted text"), blank=True)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    # The message on the ticket it became (``message`` would clash with message_id).
    ticket_message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound",
    )
    # The day a "not a contact" reply went to the sender: one a day at most.
    not_authorized_replied_on = models.DateField(
        _("not-a-contact reply sent on"), null=True, blank=True
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="inbound_message_id_once"
            ),
            models.UniqueConstraint(
                fields=["sender", "not_authorized_replied_on"],
                condition=Q(not_authorized_replied_on__isnull=False),
                name="not_authorized_reply_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject} ({self.outcome})"


class Statement(models.Model):
    """A customer's monthly statement once a lead has closed the month: what was
    sent, frozen as it was computed (``content``), so later changes to that
    month's work go to the next open month's statement as adjustments. A row
    with no ``closed_at`` holds only a lead's choice for a month still open."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    number = models.CharField(_("statement number"), max_length=80, unique=True)
    show_goodwill = models.BooleanField(
        _("show goodwill"),
        default=True,
        help_text=_("Show the customer the work given at no charge, as a courtesy line."),
    )
    content = models.JSONField(_("statement as sent"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "customer"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        permissions = [
            ("close_statement", "Can close a month's statement"),
            ("view_reports", "Can read the desk's reports"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="one_statement_per_month"),
            models.CheckConstraint(
                condition=Q(closed_at=None) | ~Q(content=None), name="closed_statement_has_content"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SavedView(models.Model):
    """A technician's own view of the queue: the tab, filters and search of the
    list's address, under a name. Each person sees and deletes only their own."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("query string"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="one_saved_view_per_name"),
        ]

    def __str__(self) -> str:
        return self.name
