"""Writes: every change to a ticket goes through one of these functions.

Each takes keyword arguments, runs in one transaction and raises a
``TicketError`` (or a subclass) that the edge turns into a clear message.
One module per concern; the names the views, the API, the tasks, the commands
and the tests call are re-exported here:

- ``base``: the errors, the row locks and their order;
- ``intake``: a contact's new ticket;
- ``contacts``: a contact's own choices (the language of replies);
- ``decisions``: the scope check, re-deciding, a lead's override;
- ``sweep``: what lost tasks left undone (decisions, e-mail);
- ``incidents``: our own failures: opening, news, the all-clear;
- ``incident_notices``: what each affected contact is e-mailed of them;
- ``incident_mail``: an update's notices e-mailed in batches;
- ``incident_tickets``: tickets during an incident: linked, answered, free;
- ``offers``: signed links, the customer's answer, lapsing;
- ``workflow``: status, assignment, priority, service, messages, ratings;
- ``escalations``: a call for a manager, at once to the account manager or the leads;
- ``claims``: the answer to a compensation claim or a complaint;
- ``time``: work logged against the allowance;
- ``notices``: allowance notices, the SLA watch, staff e-mail;
- ``mail``: a message's e-mail, and the delivery of every e-mail row;
- ``credits``: uptime credits: the month's records, a lead's confirmation, the e-mail;
- ``statements``: a lead closes a month's statement, or hides its goodwill;
- ``inbound``: an incoming e-mail stored once and acted on once (its rules in
  ``inbound_rules``, the limits on automatic replies in ``mail_limits``);
- ``queueing``: Celery work queued after the commit.
"""

from tickets.services.base import NotAllowed, TicketError, one_line
from tickets.services.bulk import (
    MAX_BULK,
    tickets_assign,
    tickets_change_priority,
    tickets_change_status,
    tickets_close,
)
from tickets.services.contacts import contact_language_choose
from tickets.services.credits import (
    credit_confirm,
    credit_notice_email,
    credits_compute_month,
    previous_month,
)
from tickets.services.decisions import ticket_decide
from tickets.services.escalations import ticket_escalate
from tickets.services.inbound import mail_ingest
from tickets.services.incident_mail import incident_notices_email
from tickets.services.incident_notices import incident_update_text
from tickets.services.incidents import (
    incident_open,
    incident_post_update,
    incident_resolve,
    incident_review_save,
    incident_ticket_link,
    incident_updates_watch,
    may_review_incidents,
)
from tickets.services.intake import NotAContact, ticket_create
from tickets.services.mail import message_email
from tickets.services.notices import send_mail_safely, sla_watch
from tickets.services.offers import (
    offer_accepted_text,
    offer_answer,
    offer_expire,
    offer_from_token,
    offer_link,
    offers_expire,
    renewal_accepted_text,
)
from tickets.services.on_call import on_call_declined_text
from tickets.services.overrides import decision_override
from tickets.services.statements import statement_close, statement_goodwill_show
from tickets.services.sweep import tickets_decide_forgotten
from tickets.services.time import time_entry_log
from tickets.services.workflow import (
    MANUAL_TRANSITIONS,
    customer_reply_reopens,
    message_post,
    rating_invited,
    refused_tickets_close,
    ticket_assign,
    ticket_change_priority,
    ticket_change_service,
    ticket_change_status,
    ticket_rate,
)

__all__ = [
    "MANUAL_TRANSITIONS",
    "MAX_BULK",
    "NotAContact",
    "NotAllowed",
    "TicketError",
    "contact_language_choose",
    "credit_confirm",
    "credit_notice_email",
    "credits_compute_month",
    "customer_reply_reopens",
    "decision_override",
    "incident_notices_email",
    "incident_open",
    "incident_post_update",
    "incident_resolve",
    "incident_review_save",
    "incident_ticket_link",
    "incident_update_text",
    "incident_updates_watch",
    "mail_ingest",
    "may_review_incidents",
    "message_email",
    "message_post",
    "offer_accepted_text",
    "offer_answer",
    "offer_expire",
    "offer_from_token",
    "offer_link",
    "offers_expire",
    "on_call_declined_text",
    "one_line",
    "previous_month",
    "rating_invited",
    "refused_tickets_close",
    "renewal_accepted_text",
    "send_mail_safely",
    "sla_watch",
    "statement_close",
    "statement_goodwill_show",
    "ticket_assign",
    "ticket_change_priority",
    "ticket_change_service",
    "ticket_change_status",
    "ticket_create",
    "ticket_decide",
    "ticket_escalate",
    "ticket_rate",
    "tickets_assign",
    "tickets_change_priority",
    "tickets_change_status",
    "tickets_close",
    "tickets_decide_forgotten",
    "time_entry_log",
]
