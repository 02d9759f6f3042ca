"""The queries of filing a ticket over the API with a token: the request
benchmarks/intake.py sends, a hundred times a second at its busiest."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tickets.models import Ticket

MIKKO = "mikko@northwind.example"  # no language of his own: the customer's is his
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."


def token_client(email: str) -> APIClient:
    token = Token.objects.create(user=get_user_model().objects.get(email=email))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# Not a transaction test: the scope check, queued after the commit, is left out
# of the count (it has its own, test_ticket_flow.py).
@pytest.mark.django_db
def test_filing_a_ticket_runs_a_fixed_number_of_queries(northwind, django_assert_num_queries):
    client = token_client(MIKKO)
    client.post("/api/v1/tickets/", {"subject": "First", "body": MAIL}, format="json")
    # Nine: the token with its user, contact and customer in one; the savepoint
    # around the ticket's insert and its release; the ticket read back as the
    # answer shows it, and its decisions, offers, messages and files (none yet).
    with django_assert_num_queries(9):
        response = client.post("/api/v1/tickets/", {"subject": "Help", "body": MAIL}, format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.customer, ticket.language, ticket.channel) == (northwind, "fi", "api")
    assert response.json()["requester"] == MIKKO
