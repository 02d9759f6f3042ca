"""/api/v1/incidents/: staff open incidents, post news and the all-clear, each
told to every affected contact; contacts read only the incidents that affect
their customer, without the internal review; the notices and their delivery
are staff business."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from contracts.models import Service
from tests.helpers import api
from tests.test_security import _queries
from tests.tickets.test_incidents import AFFECTED, TEXTS
from tests.tickets.test_ticket_flow import MAIL, MONDAY_10, file
from tickets import services
from tickets.models import Incident, IncidentNotice, IncidentUpdate, Status

pytestmark = pytest.mark.django_db(transaction=True)

SARA = "sara@northwind.example"
OLGA = "olga@volga-media.example"
JANIS = "janis@daugava.example"
URL = "/api/v1/incidents/"


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


def in_an_hour() -> str:
    return (timezone.now() + timedelta(hours=1)).isoformat()


def body(**extra) -> dict:
    return {
        "title": "Servers down",
        "kind": "outage",
        "services": ["hosting.availability"],
        "texts": TEXTS,
        "next_update_at": in_an_hour(),
        **extra,
    }


def open_incident(who, **extra) -> dict:
    response = api(who).post(URL, body(**extra), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def outage(by, **kwargs) -> Incident:
    return services.incident_open(
        by=by,
        title="Servers down",
        services=[Service.objects.get(code="hosting.availability")],
        texts=TEXTS,
        **kwargs,
    )


# --- opening --------------------------------------------------------------------


def test_a_technician_opens_an_incident_and_every_affected_contact_is_told_once(
    northwind, volga, daugava, technician
):
    incident = open_incident(technician)
    assert incident["is_open"] is True
    assert incident["services"] == ["hosting.availability"]
    assert incident["customers"] == []
    assert incident["owner"] == technician.pk
    assert incident["owner_email"] == technician.email
    assert incident["next_update_at"] is not None
    (opening,) = incident["updates"]
    assert opening["kind"] == "opened"
    assert opening["texts"] == TEXTS
    assert sorted(m.to[0] for m in mail.outbox) == sorted(AFFECTED)
    notices = IncidentNotice.objects.filter(update__incident_id=incident["id"])
    assert {n.contact.user.email: n.language for n in notices} == AFFECTED


def test_chosen_customers_a_named_owner_and_the_moments_are_taken_from_the_body(
    northwind, volga, technician, lead
):
    started = timezone.now() - timedelta(minutes=20)
    incident = open_incident(
        technician,
        customers=["volga-media"],
        owner=lead.pk,
        kind="degraded",
        our_fault=False,
        started_at=started.isoformat(),
        eta=(timezone.now() + timedelta(hours=3)).isoformat(),
    )
    assert incident["customers"] == ["volga-media"]
    assert incident["owner"] == lead.pk
    assert incident["kind"] == "degraded" and incident["our_fault"] is False
    stored = Incident.objects.get(pk=incident["id"])
    assert stored.started_at == started
    assert stored.owner == lead
    assert stored.updates.get().eta == timezone.now() + timedelta(hours=3)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ivan@volga-media.example",
        "olga@volga-media.example",
    ]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"services": ["hosting.teleport"]}, "services", "hosting.teleport"),
        ({"services": []}, "services", ""),
        ({"customers": ["acme"]}, "customers", "acme"),
        ({"owner": 999_999}, "owner", "No such member of staff"),
        ({"texts": {"de": "Server kaputt"}}, "texts", "de"),
        ({"started_at": "1900-01-01T00:00:00Z"}, "started_at", "2000"),
        ({"kind": "apocalypse"}, "kind", ""),
        ({"title": "   "}, "title", "blank"),
    ],
)
def test_a_body_naming_what_does_not_exist_is_refused_with_a_400_naming_it(
    northwind, technician, change, field, words
):
    response = api(technician).post(URL, body(**change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert words in str(response.json()[field])
    assert not Incident.objects.exists()
    assert mail.outbox == []


def test_a_contacts_owner_is_no_member_of_staff(northwind, technician):
    sara = get_user_model().objects.get(email=SARA)
    response = api(technician).post(URL, body(owner=sara.pk), format="json")
    assert response.status_code == 400
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"texts": {"en": "  ", "fi": ""}}, "at least one language"),
        ({"next_update_at": "2026-11-23T07:00:00Z"}, "next update is due in the future"),
    ],
)
def test_what_the_service_refuses_answers_400_with_its_words(northwind, technician, change, words):
    response = api(technician).post(URL, body(**change), format="json")
    assert response.status_code == 400, response.content
    assert words in response.json()["detail"]
    assert not Incident.objects.exists()


def test_contacts_and_staff_without_the_permission_cannot_open_one(northwind, volga):
    clerk = get_user_model().objects.create_user("clerk", "clerk@scopedesk.example", is_staff=True)
    for who in (SARA, OLGA, clerk):
        response = api(who).post(URL, body(), format="json")
        assert response.status_code == 403, (who, response.content)
        assert "Only support staff" in response.json()["detail"]
    assert not Incident.objects.exists()
    assert mail.outbox == []


# --- news and the all-clear -----------------------------------------------------


def test_news_and_the_all_clear_go_to_the_same_people_and_resolve_the_linked_tickets(
    northwind, volga, technician
):
    incident = open_incident(technician)
    ticket = file(SARA, MAIL)
    services.incident_ticket_link(ticket_id=ticket.pk, incident_id=incident["id"], by=technician)
    mail.outbox.clear()

    news = api(technician).post(
        f"{URL}{incident['id']}/updates/",
        {"texts": {"en": "Power is back, servers boot."}, "next_update_at": in_an_hour()},
        format="json",
    )
    assert news.status_code == 200, news.content
    assert [u["kind"] for u in news.json()["updates"]] == ["opened", "update"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(AFFECTED)
    mail.outbox.clear()

    with time_machine.travel(MONDAY_10 + timedelta(hours=2), tick=False):
        done = api(technician).post(
            f"{URL}{incident['id']}/resolve/",
            {"texts": {"en": "All servers run again."}},
            format="json",
        )
    assert done.status_code == 200, done.content
    resolved = done.json()
    assert resolved["is_open"] is False
    assert resolved["resolved_at"] is not None
    assert resolved["eta"] is None and resolved["next_update_at"] is None
    assert resolved["updates"][-1]["kind"] == "resolved"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(AFFECTED)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_a_resolved_incident_takes_no_news_and_no_second_all_clear(northwind, technician):
    incident = outage(technician)
    services.incident_resolve(incident_id=incident.pk, by=technician, texts={"en": "Fixed."})
    mail.outbox.clear()
    for action in ("updates", "resolve"):
        response = api(technician).post(
            f"{URL}{incident.pk}/{action}/", {"texts": {"en": "Again?"}}, format="json"
        )
        assert response.status_code == 400, response.content
        assert "resolved" in response.json()["detail"]
    assert IncidentUpdate.objects.filter(incident=incident).count() == 2
    assert mail.outbox == []


def test_an_all_clear_before_the_start_is_refused(northwind, technician):
    incident = outage(technician)
    response = api(technician).post(
        f"{URL}{incident.pk}/resolve/",
        {"texts": {"en": "Fixed."}, "resolved_at": "2026-11-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "between its start and now" in response.json()["detail"]
    incident.refresh_from_db()
    assert incident.is_open


def test_contacts_neither_post_news_nor_resolve_even_on_their_own_incident(
    northwind, volga, technician
):
    incident = outage(technician)
    mail.outbox.clear()
    for who in (SARA, OLGA):
        for action in ("updates", "resolve"):
            response = api(who).post(
                f"{URL}{incident.pk}/{action}/", {"texts": {"en": "All good!"}}, format="json"
            )
            assert response.status_code == 403, response.content
    incident.refresh_from_db()
    assert incident.is_open and incident.updates.count() == 1
    assert mail.outbox == []


# --- reading ----------------------------------------------------------------------


def test_a_contact_lists_and_reads_only_the_incidents_that_affect_their_customer(
    northwind, volga, daugava, technician
):
    everyone = outage(technician)
    volga_only = outage(technician, customers=[volga])
    assert ids(api(SARA).get(URL)) == [everyone.pk]
    assert sorted(ids(api(OLGA).get(URL))) == sorted([everyone.pk, volga_only.pk])
    # Daugava's contract has ended: nothing of ours affects it.
    assert ids(api(JANIS).get(URL)) == []
    assert sorted(ids(api(technician).get(URL))) == sorted([everyone.pk, volga_only.pk])

    assert api(SARA).get(f"{URL}{volga_only.pk}/").status_code == 404
    assert api(JANIS).get(f"{URL}{everyone.pk}/").status_code == 404
    assert api(SARA).get(f"{URL}{everyone.pk}/").status_code == 200
    assert api(SARA).get(f"{URL}{everyone.pk + 1000}/").status_code == 404


def test_contacts_do_not_read_the_review_the_chosen_customers_or_the_owners_id(
    northwind, technician
):
    incident = outage(technician)
    Incident.objects.filter(pk=incident.pk).update(
        cause="A tired UPS battery.", changes="Replace batteries every three years."
    )
    seen = api(SARA).get(f"{URL}{incident.pk}/").json()
    for secret in ("cause", "changes", "customers", "owner"):
        assert secret not in seen
    assert "posted_by" not in seen["updates"][0]
    assert seen["owner_email"] == technician.email
    assert seen["updates"][0]["texts"] == TEXTS
    staff = api(technician).get(f"{URL}{incident.pk}/").json()
    assert staff["cause"] == "A tired UPS battery."
    assert staff["changes"] == "Replace batteries every three years."
    assert staff["updates"][0]["posted_by"] == technician.username


def test_filters_by_state_kind_service_and_for_staff_customer(
    northwind, volga, daugava, technician
):
    everyone = outage(technician)
    volga_only = outage(technician, customers=[volga], kind=Incident.Kind.DEGRADED)
    mail_down = services.incident_open(
        by=technician,
        title="Mail slow",
        services=[Service.objects.get(code="hosting.email")],
        customers=[northwind],
        texts={"en": "Mail is slow."},
    )
    services.incident_resolve(incident_id=mail_down.pk, by=technician, texts={"en": "Fixed."})
    staff = api(technician)
    assert ids(staff.get(URL, {"state": "resolved"})) == [mail_down.pk]
    assert sorted(ids(staff.get(URL, {"state": "open"}))) == sorted([everyone.pk, volga_only.pk])
    assert ids(staff.get(URL, {"kind": "degraded"})) == [volga_only.pk]
    assert ids(staff.get(URL, {"service": "hosting.email"})) == [mail_down.pk]
    assert sorted(ids(staff.get(URL, {"customer": "volga-media"}))) == sorted(
        [everyone.pk, volga_only.pk]
    )
    assert sorted(ids(staff.get(URL, {"customer": "northwind"}))) == sorted(
        [everyone.pk, mail_down.pk]
    )
    assert ids(staff.get(URL, {"customer": "daugava"})) == []
    assert ids(staff.get(URL, {"customer": "nobody"})) == []
    assert staff.get(URL, {"state": "closed"}).status_code == 400
    assert staff.get(URL, {"state": ""}).status_code == 400
    # For a contact the customer filter is no filter: it cannot reach past their own.
    assert sorted(ids(api(SARA).get(URL, {"customer": "volga-media"}))) == sorted(
        [everyone.pk, mail_down.pk]
    )


# --- the notices -----------------------------------------------------------------


def test_staff_read_every_notice_with_its_delivery_state(northwind, volga, technician, settings):
    incident = outage(technician)
    settings.EMAIL_BACKEND = "tests.tickets.test_mail_delivery.DownMailServer"
    news = services.incident_post_update(
        incident_id=incident.pk, by=technician, texts={"en": "Still on it."}
    )
    response = api(technician).get(f"{URL}{incident.pk}/notices/")
    assert response.status_code == 200, response.content
    notices = response.json()["results"]
    assert response.json()["count"] == 2 * len(AFFECTED)
    opening = [n for n in notices if n["update_kind"] == "opened"]
    assert {n["contact"]: n["language"] for n in opening} == AFFECTED
    assert {n["delivery"] for n in opening} == {"sent"}
    assert all(n["emailed_at"] for n in opening)
    later = [n for n in notices if n["update_kind"] == "update"]
    assert {n["delivery"] for n in later} == {"pending"}
    assert {n["customer"] for n in later} == {"northwind", "volga-media"}

    pending = api(technician).get(f"{URL}{incident.pk}/notices/", {"delivery": "pending"})
    assert {n["update"] for n in pending.json()["results"]} == {news.pk}
    assert pending.json()["count"] == len(AFFECTED)
    of_news = api(technician).get(f"{URL}{incident.pk}/notices/", {"update": news.pk})
    assert of_news.json()["count"] == len(AFFECTED)
    assert api(technician).get(
        f"{URL}{incident.pk}/notices/", {"delivery": "lost"}
    ).status_code == (400)


def test_contacts_never_read_the_notices(northwind, technician):
    incident = outage(technician)
    for who in (SARA, "aino@northwind.example"):
        response = api(who).get(f"{URL}{incident.pk}/notices/")
        assert response.status_code == 403


def test_notices_of_an_incident_that_does_not_exist_answer_404(northwind, technician):
    assert api(technician).get(f"{URL}4242/notices/").status_code == 404
    assert api(technician).get(f"{URL}abc/notices/").status_code == 404


# --- cost ---------------------------------------------------------------------------


def _incidents(technician, n: int) -> None:
    availability = Service.objects.get(code="hosting.availability")
    for i in range(n):
        incident = Incident.objects.create(
            title=f"Down {i}",
            owner=technician,
            created_by=technician,
            started_at=timezone.now(),
            detected_at=timezone.now(),
        )
        incident.services.set([availability])
        for kind in ("opened", "update"):
            IncidentUpdate.objects.create(
                incident=incident, kind=kind, texts={"en": "x"}, posted_by=technician
            )


@pytest.mark.parametrize("who", [SARA, "tech"])
def test_the_list_reads_the_same_number_of_queries_for_5_and_50_incidents(
    northwind, technician, who
):
    _incidents(technician, 5)
    few, few_rows = _queries(URL, who)
    _incidents(technician, 45)
    many, many_rows = _queries(URL, who)
    assert (few_rows, many_rows) == (5, 25)
    assert many == few, f"{few} queries for {few_rows} rows, {many} for {many_rows}"
