"""Reads for the technicians' queue: the list with its saved views and counts,
and everything the ticket page shows. Each runs a fixed number of queries,
whatever the number of tickets, messages or decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from contracts.engine import terms
from contracts.models import (
    COVERAGE_LABELS,
    PRICING_LABELS,
    PRIORITY_LABELS,
    VERDICT_LABELS,
    Customer,
    Service,
)
from contracts.replies import format_renewal
from tickets.filters import TicketFilter, sla_breached, sla_due_soon
from tickets.models import (
    Attachment,
    CannedReply,
    DecisionPart,
    InboundMessage,
    Incident,
    Message,
    Offer,
    ScopeDecision,
    Status,
    Ticket,
    TimeEntry,
)
from tickets.paging import COUNT_CAP, IdsFirstPaginator, count_capped
from tickets.queue.display import (
    VERDICT_NOTES,
    Options,
    RowLabels,
    RowTexts,
    SlaClock,
    format_span,
    priority_label,
    sla_clock,
    verdict_label,
)
from tickets.selectors import (
    SERVICE_WORDS,
    AllowanceSummary,
    allowance_summary,
    incidents_affecting,
    ticket_current_offer,
    tickets_visible_to,
)
from tickets.services import MANUAL_TRANSITIONS
from tickets.services.override_messages import OVERRIDE_VERDICTS
from tickets.snapshots import clause_as_told

PER_PAGE = 25
INCIDENT_TICKETS_SHOWN = 10
OPEN = list(Status.UNRESOLVED)
# The parameters that narrow the list; ``view``, ``ordering`` and ``page`` do not.
FILTER_KEYS = ("q", "customer", "verdict", "status", "priority", "service", "assignee", "sla")
# The tickets of an open incident are one piece of work: the incident's row stands
# for them above the list, which leaves them out unless ``?incident=all`` (or an
# incident's number) asks for them.
INCIDENT_ALL = "all"
MAX_ID = 2**63 - 1


def incident_scope(value: str) -> tuple[str, Q]:
    """The ``incident`` parameter as (the value understood, the condition)."""
    if value == INCIDENT_ALL:
        return value, Q()
    if value.isdecimal() and 0 < int(value) <= MAX_ID:
        return value, Q(incident_id=int(value))
    return "", Q(incident=None) | Q(incident__resolved_at__isnull=False)


@dataclass(frozen=True, slots=True)
class Tab:
    """A view of the queue built in (the technicians' own are ``tickets.models.SavedView``)."""

    key: str
    label: str | Promise
    params: Mapping[str, Sequence[str]]
    help: str | Promise = ""


SAVED_VIEWS = (
    Tab("mine", _("My tickets"), {"assignee": ["me"], "status": OPEN}),
    Tab("unassigned", _("Unassigned"), {"assignee": ["none"], "status": OPEN}),
    Tab("open", _("Open"), {"status": OPEN}, _("Every ticket that is not resolved")),
    Tab(
        "ours",
        _("Our turn"),
        {"status": list(Status.OUR_TURN)},
        _("Open on our side: not waiting for the customer"),
    ),
    Tab(
        "theirs",
        _("Waiting for the customer"),
        {"status": list(Status.CUSTOMERS_TURN)},
        _("Waiting for the customer's reply or their answer to an offer"),
    ),
    Tab(
        "due",
        _("Due soon or overdue"),
        {"sla": ["due"]},
        _("Open tickets past an SLA deadline or within 2 hours of one"),
    ),
    Tab(
        "review",
        _("Needs review"),
        {"verdict": sorted(terms.REVIEW_VERDICTS), "status": Status.REVIEWABLE},
        _("The service is unclear: a technician decides"),
    ),
    Tab("all", _("All tickets"), {}, _("Resolved and closed tickets too")),
    # Not a tab of its own (the customer's turn holds it), kept for its links.
    Tab(
        "awaiting",
        _("Awaiting decision"),
        {"status": [Status.AWAITING_DECISION]},
        _("Waiting for the customer's answer to an offer"),
    ),
)
VIEWS = {view.key: view for view in SAVED_VIEWS}
TABS = tuple(view for view in SAVED_VIEWS if view.key != "awaiting")
DEFAULT_VIEW = "open"
# Quick links above the list: open tickets by the state of their SLA.
SLA_SHORTCUTS = (
    Tab("breached", _("SLA breached"), {"sla": ["breached"]}),
    Tab("due_soon", _("Due within 2 h"), {"sla": ["due_soon"]}),
)

ORDERINGS = (
    ("sla_due", _("SLA due, soonest first")),
    ("priority", _("Priority, most urgent first")),
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("-updated", _("Recently updated")),
)
_PRIORITY_RANK = Case(
    *[When(priority=p, then=Value(rank)) for rank, p in enumerate(terms.PRIORITIES)],
    default=Value(len(terms.PRIORITIES)),
    output_field=IntegerField(),
)
_ORDER_BY = {
    "sla_due": [F("sla_due").asc(nulls_last=True)],
    "-sla_due": [F("sla_due").desc(nulls_last=True)],
    "priority": [_PRIORITY_RANK.asc(), F("sla_due").asc(nulls_last=True)],
    "-priority": [_PRIORITY_RANK.desc(), F("sla_due").asc(nulls_last=True)],
    "created": [F("created_at").asc()],
    "-created": [F("created_at").desc()],
    "updated": [F("updated_at").asc()],
    "-updated": [F("updated_at").desc()],
    "id": [F("id").asc()],
    "-id": [F("id").desc()],
}


@dataclass(frozen=True, slots=True)
class QueueRow:
    ticket: Ticket
    clock: SlaClock
    verdict_label: str
    priority_label: str
    clause_text: str
    service_name: str
    age: str  # how long ago the ticket came in, as people say it
    requester_name: str
    activity: str  # how long ago the last message was written (or the ticket filed)
    # "Outside hours: work starts …" while no technician has replied yet; after
    # a reply the work is under way and the note would only mislead.
    starts_at: datetime | None = None
    transitions: list[tuple[str, str]] = field(default_factory=list)  # the status changes allowed
    # The ticket's number and links, as the row repeats them twenty times (a
    # number through the template is localized each time, a {% url %} resolved).
    number: str = ""
    url: str = ""
    change_urls: dict[str, str] = field(default_factory=dict)  # by field: the inline changes
    texts: RowTexts | None = None  # the words every row says, shared by the page's rows
    labels: RowLabels | None = None
    # The inline selects' options, this row's values selected (see ``RowChoices``).
    assignee_options: str = ""
    status_options: str = ""
    priority_options: str = ""
    service_options: str = ""


def shown(count: int | None) -> str | None:
    """A count as the queue shows it, its digits grouped as the reader's language
    groups them ("10,000+", "10 000+"): counts stop at ``COUNT_CAP``."""
    if count is None:
        return None
    if count > COUNT_CAP:
        return f"{number_format(COUNT_CAP, force_grouping=True)}+"
    return number_format(count, force_grouping=True)


@dataclass
class QueuePage:
    view: Tab
    filtered: bool  # the person narrowed the list themselves
    selected: dict[str, list[str]]  # the effective filter values, for the form
    ordering: str
    page: Page
    rows: list[QueueRow]
    counts: dict[str, int]
    ignored: list[str]  # labels of filters whose values were not understood
    customer: Customer | None  # the one the list is filtered by, read by the filter
    services: list[tuple[str, str]]
    staff: list
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    incident: str = ""  # "", "all" or an incident's number: see ``incident_scope``
    incidents: list[Incident] = field(default_factory=list)  # open, with their tickets
    newest: int = 0  # the newest unresolved ticket's number: the refresh counts from it

    @property
    def tabs(self) -> list[tuple[Tab, str | None, bool]]:
        """Each saved view with its count as shown (None: not counted), and whether the
        list shows it now."""
        return [
            (
                view,
                shown(self.counts.get(view.key)),
                not self.filtered and view.key == self.view.key,
            )
            for view in TABS
        ]

    @property
    def total(self) -> str | None:
        """How many tickets the list holds, as shown ("10000+" past the cap)."""
        return shown(self.page.paginator.count)

    @property
    def shortcuts(self) -> list[tuple[Tab, int, bool]]:
        return [
            (view, self.counts.get(view.key, 0), self.selected.get("sla") == view.params["sla"])
            for view in SLA_SHORTCUTS
        ]

    @property
    def tickets_in_incidents(self) -> int:
        """The unresolved tickets that the open incidents' rows stand for."""
        return sum(incident.open_tickets for incident in self.incidents)  # type: ignore[attr-defined]

    @property
    def title(self) -> str:
        return str(_("Filtered tickets")) if self.filtered else str(self.view.label)


def staff_members() -> list:
    """Everyone a ticket can be assigned to."""
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "username")
    )


def service_options(language: str) -> list[tuple[str, str]]:
    services = Service.objects.order_by("position", "code").only("code", "names")
    return [(s.code, s.name(language)) for s in services]


def _params(values: Mapping[str, Sequence[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, items in values.items():
        data.setlist(key, [str(item) for item in items])
    return data


def _ordered(queryset: QuerySet[Ticket], ordering: str) -> QuerySet[Ticket]:
    # Tickets without an SLA go last; the id keeps pages stable between requests.
    return queryset.order_by(*_ORDER_BY.get(ordering, _ORDER_BY["sla_due"]), "pk")


def _clause_text(decision: ScopeDecision | None, ticket: Ticket, language: str) -> str:
    """The clause in the reader's language, else by the customers' fallback rule."""
    snapshot = decision.clause_snapshot if decision else None
    text = terms.wording_in((snapshot or {}).get("text"), language, ticket.customer.language)[0]
    return text or str(VERDICT_NOTES.get(ticket.verdict, ""))


def _condition(params: Mapping[str, Sequence[str]], *, user, now: datetime) -> Q:
    """A saved view's filters as one condition, so that every count is a FILTER
    clause of a single pass over the tickets (the list itself goes through
    ``TicketFilter``; a test holds the two to the same answer)."""
    condition = Q()
    for key, values in params.items():
        if key == "status":
            condition &= Q(status__in=values)
        elif key == "verdict":
            condition &= Q(verdict__in=values)
        elif key == "assignee":
            condition &= {"none": Q(assignee=None), "me": Q(assignee=user)}[values[0]]
        elif key == "sla":
            condition &= {
                "breached": sla_breached(now),
                "due_soon": sla_due_soon(now),
                "due": sla_breached(now) | sla_due_soon(now),
            }[values[0]]
        else:
            raise ValueError(f"a saved view cannot filter on {key!r}")
    return condition


def queue_counts(*, user, with_all: bool = False, scope: Q | None = None) -> dict[str, int]:
    """How many tickets each saved view and SLA shortcut holds, in one query.

    Every view but "all" lists unresolved tickets only, and on a desk of any age
    those are a small part of all tickets: they are counted over the status index.
    Counting all of a desk's history costs as much again, so "all" is counted only
    ``with_all`` (when it is the list shown). ``scope`` narrows the tickets as the
    list does (by default: those of open incidents left out)."""
    now = timezone.now()
    visible = tickets_visible_to(user).filter(incident_scope("")[1] if scope is None else scope)
    counts = visible.filter(status__in=OPEN).aggregate(
        **{
            view.key: Count("pk", filter=_condition(view.params, user=user, now=now))
            for view in (*SAVED_VIEWS, *SLA_SHORTCUTS)
            if view.params
        },
        newest=Max("pk"),
    )
    counts["newest"] = counts["newest"] or 0
    if with_all:
        counts[VIEWS["all"].key] = count_capped(visible, COUNT_CAP)
    return counts


def queue_page(*, user, params: QueryDict, request) -> QueuePage:
    """One page of the queue: a saved view, or the filters the person chose."""
    view = VIEWS.get(params.get("view", ""), VIEWS[DEFAULT_VIEW])
    filtered = any(key in params for key in FILTER_KEYS)
    data = QueryDict(mutable=True)
    if filtered:
        for key in FILTER_KEYS:
            values = [v for v in params.getlist(key) if v]
            if values:
                data.setlist(key, values)
    else:
        data = _params(view.params)
    ordering = params.get("ordering", "")
    if ordering not in _ORDER_BY:
        ordering = "sla_due"
    # The filter set validates every value; anything it does not know is ignored.
    incident, scope = incident_scope(params.get("incident", ""))
    visible = tickets_visible_to(user).filter(scope)
    filterset = TicketFilter(data, queryset=visible, request=request)
    tickets = filterset.qs
    ignored = [str(filterset.filters[name].label) for name in filterset.form.errors]
    if "ordering" in params and params.get("ordering") not in _ORDER_BY:
        ignored.append(str(_("Order")))
    tickets = with_row_data(_ordered(tickets, ordering))
    counts = queue_counts(user=user, with_all=not filtered and view.key == "all", scope=scope)
    paginator = IdsFirstPaginator(tickets, PER_PAGE)
    paginator.count_cap = COUNT_CAP
    if not filtered:
        # A saved view's size is one of the counts already made: no second COUNT.
        paginator.count = counts[view.key]
    page = paginator.get_page(params.get("page"))
    language = translation.get_language() or "en"
    staff, services = staff_members(), service_options(language)
    rows = queue_rows(page.object_list, row_choices(staff=staff, services=services))
    selected = {key: data.getlist(key) for key in FILTER_KEYS}
    return QueuePage(
        view=view,
        filtered=filtered,
        selected=selected,
        ordering=ordering,
        page=page,
        rows=rows,
        counts=counts,
        ignored=ignored,
        customer=filterset.form.cleaned_data.get("customer"),
        services=services,
        staff=staff,
        options=filter_options(),
        incident=incident,
        incidents=open_incidents_with_tickets(),
        newest=counts["newest"],
    )


CUSTOMERS_SUGGESTED = 20


def customers_matching(text: str) -> list[Customer]:
    """The customer filter's suggestions for what the person typed: names and
    slugs containing it, those starting with it first. A desk has thousands of
    customers; the page no longer carries them all."""
    text = text.strip()
    if not text:
        return list(Customer.objects.order_by("name").only("slug", "name")[:CUSTOMERS_SUGGESTED])
    return list(
        Customer.objects.filter(Q(name__icontains=text) | Q(slug__icontains=text))
        .annotate(
            starts=Case(
                When(Q(name__istartswith=text) | Q(slug__istartswith=text), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("starts", "name")
        .only("slug", "name")[:CUSTOMERS_SUGGESTED]
    )


def with_row_data(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a row shows, joined or annotated: no query per row."""
    last_message = (
        Message.objects.filter(ticket=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        tickets.select_related("customer", "service", "assignee", "requester__contact")
        # Not shown in a row: a ticket's text, a service's recognition words (JSON
        # decoded for every row, a tenth of reading the page).
        .defer("body", *SERVICE_WORDS)
        .annotate(last_activity=Coalesce(Subquery(last_message), F("created_at")))
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=ScopeDecision.objects.filter(is_current=True).only(
                    "pk", "ticket_id", "verdict", "clause_snapshot", "starts_at"
                ),
                to_attr="current_decisions",
            )
        )
    )


def queue_rows(tickets, choices: RowChoices) -> list[QueueRow]:
    """The rows of tickets read through ``with_row_data``."""
    now = timezone.now()
    language = translation.get_language() or "en"
    by_status: dict[str, tuple[list[tuple[str, str]], SafeString]] = {}  # the rows share a few
    texts = RowTexts()
    # A row links to its ticket and its four inline changes. ``reverse`` costs
    # 30–60 µs: the links are reversed once with a stand-in number each row replaces.
    ticket_url = reverse("queue:ticket", args=[_STAND_IN])
    change_urls = {name: reverse("queue:row-change", args=[_STAND_IN, name]) for name in ROW_FIELDS}
    rows = []
    for ticket in tickets:
        decision = ticket.current_decisions[0] if ticket.current_decisions else None
        contact = getattr(ticket.requester, "contact", None)
        waits = (
            ticket.verdict == "outside_hours"
            and ticket.first_responded_at is None
            and ticket.status not in Status.DONE
            and decision is not None
            and decision.starts_at is not None
            and decision.starts_at > now
        )
        if ticket.status not in by_status:
            by_status[ticket.status] = _status_choices(ticket)
        transitions, status_options = by_status[ticket.status]
        number = str(ticket.pk)
        age, activity = _ago(ticket.created_at, now), _ago(ticket.last_activity, now)
        rows.append(
            QueueRow(
                ticket=ticket,
                number=number,
                texts=texts,
                labels=texts.labels(number, age=age, activity=activity),
                url=ticket_url.replace(str(_STAND_IN), number),
                change_urls={
                    name: url.replace(str(_STAND_IN), number) for name, url in change_urls.items()
                },
                clock=sla_clock(ticket, now),
                verdict_label=verdict_label(ticket.verdict),
                priority_label=priority_label(ticket.priority),
                clause_text=_clause_text(decision, ticket, language),
                service_name=ticket.service.name(language) if ticket.service else "",
                age=age,
                requester_name=contact.name if contact else ticket.requester.get_username(),
                activity=activity,
                starts_at=decision.starts_at if waits and decision else None,
                transitions=transitions,
                assignee_options=choices.assignee.html(
                    ticket.assignee.username if ticket.assignee else None
                ),
                status_options=status_options,
                priority_options=choices.priority.html(ticket.priority),
                service_options=choices.service.html(
                    ticket.service.code if ticket.service else None
                ),
            )
        )
    return rows


ROW_FIELDS = ("assignee", "status", "priority", "service")  # changed inline on a row
_STAND_IN = 9_876_543_210  # no part of a link but the ticket's number reads so


def _status_choices(ticket: Ticket) -> tuple[list[tuple[str, str]], SafeString]:
    """The statuses a ticket may be moved to from its own, and its row's status
    select: where it is, then those."""
    transitions = [
        (status.value, str(status.label))
        for status in Status
        if status in MANUAL_TRANSITIONS[Status(ticket.status)]
    ]
    return transitions, format_html(
        '<option value="{}" selected>{}</option>{}',
        ticket.status,
        ticket.get_status_display(),
        format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((value, _("→ %(label)s") % {"label": label}) for value, label in transitions),
        ),
    )


def queue_row(*, ticket_id: int, user) -> QueueRow:
    """One row again, after an inline change (``Ticket.DoesNotExist`` if not visible)."""
    ticket = with_row_data(tickets_visible_to(user).filter(pk=ticket_id)).get()
    return queue_rows([ticket], row_choices())[0]


@dataclass(frozen=True, slots=True)
class RowChoices:
    """The options of the rows' inline selects, read and escaped once for the page."""

    assignee: Options
    service: Options
    priority: Options


def row_choices(*, staff: list | None = None, services: list | None = None) -> RowChoices:
    """From the lists the page already read, or afresh for one row."""
    if staff is None:
        staff = staff_members()
    if services is None:
        services = service_options(translation.get_language() or "en")
    return RowChoices(
        assignee=Options((m.username, m.get_full_name() or m.username) for m in staff),
        service=Options(services),
        priority=Options((value, str(label)) for value, label in PRIORITY_LABELS.items()),
    )


# What a technician's saved view keeps of the list's address.
SAVED_KEYS = (*FILTER_KEYS, "view", "ordering", "incident")


def saved_query(params: QueryDict) -> str:
    """The tab, filters, search and order of an address, without the page."""
    kept = QueryDict(mutable=True)
    for key in SAVED_KEYS:
        values = [v for v in params.getlist(key) if v]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def _ago(moment: datetime, now: datetime) -> str:
    return format_span(max(0, int((now - moment).total_seconds() // 60)), coarse=True)


def new_tickets_count(*, user, since: int) -> int:
    """Unresolved tickets filed after ticket number ``since`` that the user sees."""
    return tickets_visible_to(user).filter(pk__gt=since, status__in=OPEN).count()


def open_incidents_with_tickets() -> list[Incident]:
    """The open incidents as the queue's rows: each with the number of its
    unresolved tickets and the first of them (two queries, however many)."""
    return list(
        Incident.objects.filter(resolved_at=None)
        .select_related("owner")
        .annotate(open_tickets=Count("tickets", filter=Q(tickets__status__in=OPEN)))
        .prefetch_related(
            Prefetch(
                "tickets",
                queryset=Ticket.objects.filter(status__in=OPEN)
                .select_related("customer")
                .order_by("created_at", "pk")[:INCIDENT_TICKETS_SHOWN],
                to_attr="first_tickets",
            )
        )
        .order_by("started_at", "pk")
    )


def filter_options() -> dict[str, list[tuple[str, str]]]:
    return {
        "verdict": [(value, str(label)) for value, label in VERDICT_LABELS.items()],
        "status": [(value, str(label)) for value, label in Status.choices],
        "priority": [(value, str(label)) for value, label in PRIORITY_LABELS.items()],
        "sla": [
            ("breached", str(_("Breached"))),
            ("due_soon", str(_("Due within 2 h"))),
            ("due", str(_("Due soon or overdue"))),
        ],
        "ordering": [(value, str(label)) for value, label in ORDERINGS],
    }


# --- the ticket page -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionView:
    decision: ScopeDecision
    verdict_label: str
    coverage_label: str
    pricing_label: str
    clause: dict  # the clause as it was, its words in the reader's language


@dataclass(frozen=True, slots=True)
class PartView:
    """A part of a mixed request: what the technician works under it."""

    part: DecisionPart
    verdict_label: str
    offer: Offer | None
    clause_text: str  # in the technician's language, else by the customers' fallback rule


@dataclass(frozen=True, slots=True)
class MessageView:
    message: Message
    files: list[Attachment]
    quoted: str = ""  # an e-mail's quoted history, shown folded


@dataclass(frozen=True, slots=True)
class OfferView:
    offer: Offer
    pricing_label: str
    current: bool  # the one the ticket's faces show
    renewal_price: str = ""  # a renewal's: "150.00 EUR a month for 12 months"


@dataclass
class Workspace:
    ticket: Ticket
    now: datetime
    clock: SlaClock
    verdict_label: str
    priority_label: str
    service_name: str
    requester_name: str
    current: DecisionView | None
    history: list[DecisionView]  # oldest first, the current one included
    parts: list[PartView]  # the current decision's, when the request is mixed
    messages: list[MessageView]
    request_files: list[Attachment]  # filed with the ticket, not with a message
    request_quoted: str  # the history quoted in the e-mail that opened it
    offers: list[OfferView]  # newest first
    current_offer: Offer | None  # the one the ticket's faces show, among ``offers``
    time_entries: list[TimeEntry]
    time_minutes: int
    time_counted: int
    allowance: AllowanceSummary
    canned_replies: list[CannedReply]
    staff: list
    services: list[tuple[str, str]]
    transitions: list[tuple[str, str]]
    priorities: list[tuple[str, str]]
    verdicts: list[tuple[str, str]]
    can_override: bool
    can_edit_contracts: bool
    incidents: list[Incident]  # the open incidents of its customer, to link it to


def _decision_view(decision: ScopeDecision, ticket: Ticket, language: str) -> DecisionView:
    snapshot = decision.clause_snapshot or {}
    return DecisionView(
        decision=decision,
        verdict_label=verdict_label(decision.verdict),
        coverage_label=str(COVERAGE_LABELS.get(snapshot.get("coverage", ""), "")),
        pricing_label=str(PRICING_LABELS.get(snapshot.get("pricing") or "", "")),
        clause=clause_as_told(
            snapshot, language=language, customer_language=ticket.customer.language
        ),
    )


def _quoted_texts(ticket: Ticket) -> dict[int | None, str]:
    """The quoted history of the ticket's e-mails, by the message each became
    (None: the e-mail that opened the ticket)."""
    rows = (
        InboundMessage.objects.filter(ticket=ticket)
        .exclude(quoted_text="")
        .filter(Q(ticket_message__isnull=False) | Q(outcome=InboundMessage.Outcome.TICKET_CREATED))
        .values_list("ticket_message_id", "quoted_text")
    )
    return dict(rows)


def ticket_workspace(*, ticket_id: int, user) -> Workspace:
    """Everything the ticket page shows, for a member of staff. Raises
    ``Ticket.DoesNotExist`` for a ticket the user may not see."""
    ticket = (
        tickets_visible_to(user)
        .select_related(
            "customer",
            "contract",
            "service",
            "assignee",
            "requester__contact",
            "picked_service",
            "incident",
        )
        .get(pk=ticket_id)
    )
    now = timezone.now()
    language = translation.get_language() or "en"
    decisions = [
        _decision_view(d, ticket, language)
        for d in ScopeDecision.objects.filter(ticket=ticket)
        .select_related("decided_by", "service")
        .order_by("created_at", "pk")
    ]
    current = next((d for d in decisions if d.decision.is_current), None)
    parts = [
        PartView(
            part,
            verdict_label(part.verdict),
            getattr(part, "offer", None),
            terms.wording_in(part.clause_snapshot.get("text"), language, ticket.customer.language)[
                0
            ],
        )
        for part in (current.decision.parts.select_related("service", "offer") if current else ())
    ]
    messages = list(Message.objects.filter(ticket=ticket).select_related("author__contact"))
    files: dict[int | None, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(ticket=ticket).order_by("created_at", "pk"):
        files.setdefault(attachment.message_id, []).append(attachment)
    quoted = _quoted_texts(ticket)
    entries = list(
        TimeEntry.objects.filter(ticket=ticket)
        .select_related("technician")
        .order_by("-worked_on", "-pk")
    )
    offers = list(
        Offer.objects.filter(ticket=ticket).select_related("answered_by").order_by("-created_at")
    )
    current_offer = ticket_current_offer(ticket)
    current_pk = current_offer.pk if current_offer else None
    contact = getattr(ticket.requester, "contact", None)
    return Workspace(
        ticket=ticket,
        now=now,
        clock=sla_clock(ticket, now),
        verdict_label=verdict_label(ticket.verdict),
        priority_label=priority_label(ticket.priority),
        service_name=ticket.service.name(language) if ticket.service else "",
        requester_name=contact.name if contact else ticket.requester.get_username(),
        current=current,
        history=decisions,
        parts=parts,
        messages=[
            MessageView(message, files.get(message.pk, []), quoted.get(message.pk, ""))
            for message in messages
        ],
        request_files=files.get(None, []),
        request_quoted=quoted.get(None, ""),
        offers=[
            OfferView(
                offer,
                pricing_label=str(PRICING_LABELS.get(offer.pricing, offer.pricing)),
                current=offer.pk == current_pk,
                renewal_price=(
                    format_renewal(offer.amount, offer.currency, offer.term_months or 1)
                    if offer.kind == Offer.Kind.RENEWAL
                    else ""
                ),
            )
            for offer in offers
        ],
        current_offer=next((o for o in offers if o.pk == current_pk), None),
        time_entries=entries,
        time_minutes=sum(e.minutes for e in entries),
        time_counted=sum(e.counted_minutes for e in entries),
        allowance=allowance_summary(customer=ticket.customer, at=now),
        canned_replies=list(
            CannedReply.objects.filter(Q(language="") | Q(language=ticket.language))
        ),
        staff=staff_members(),
        services=service_options(language),
        transitions=[
            (status.value, str(status.label))
            for status in Status
            if status in MANUAL_TRANSITIONS[Status(ticket.status)]
        ],
        priorities=[(value, str(label)) for value, label in PRIORITY_LABELS.items()],
        verdicts=[(v.value, str(VERDICT_LABELS[v.value])) for v in OVERRIDE_VERDICTS],
        can_override=user.has_perm("tickets.override_decision"),
        can_edit_contracts=user.has_perm("contracts.change_contract"),
        incidents=list(
            incidents_affecting(ticket.customer).filter(resolved_at=None).order_by("started_at")
        ),
    )
