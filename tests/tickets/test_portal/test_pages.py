"""The portal's pages: filing, the service picker, offers, replies, a manager,
ratings, the lists, the coverage page, languages and the first password."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from contracts.models import Contact, Contract
from tests.tickets.test_portal.helpers import (
    AINO,
    JANIS,
    MAIL,
    MIKKO,
    OLGA,
    PLUGIN,
    SARA,
    SCRIPT,
    SEO,
    options,
    page,
    portal,
    upload,
    user,
)
from tickets import services
from tickets.models import Attachment, Escalation, Offer, Rating, Status, Ticket

pytestmark = pytest.mark.django_db


# --- filing --------------------------------------------------------------------


def test_a_contact_files_a_ticket_with_files_and_a_picked_service(
    northwind, django_capture_on_commit_callbacks
):
    client = portal(SARA)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:new"),
            {
                "subject": "WooCommerce, please",
                "body": PLUGIN,
                "service": "web.cms_plugins",
                "priority": "high",
                "attachments": [upload("shop.png"), upload("notes.txt", b"the shop", "text/plain")],
            },
            follow=True,
        )
    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(reverse("portal:ticket", args=[ticket.pk]), 302)]
    assert ticket.picked_service.code == "web.cms_plugins"
    assert (ticket.channel, ticket.priority, ticket.requester.email) == ("portal", "high", SARA)
    assert ticket.verdict == "paid_option"
    assert sorted(ticket.attachments.values_list("name", flat=True)) == ["notes.txt", "shop.png"]
    html = response.content.decode()
    assert "WooCommerce, please" in html
    assert f"Thank you! We have received your ticket #{ticket.pk}" in html
    for attachment in ticket.attachments.all():
        url = reverse("portal:attachment", args=[attachment.pk])
        assert url in html
        download = portal(SARA).get(url)
        assert download.status_code == 200
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in download["Content-Disposition"]


def test_a_refused_file_is_named_and_nothing_is_saved(northwind):
    response = portal(SARA).post(
        reverse("portal:new"),
        {
            "subject": "Help",
            "body": MAIL,
            "priority": "normal",
            "attachments": [upload("setup.exe", b"MZ" * 10, "application/x-msdos")],
        },
    )
    assert response.status_code == 400
    assert "setup.exe cannot be attached" in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_an_empty_description_is_asked_for_kindly(northwind):
    response = portal(SARA).post(
        reverse("portal:new"), {"subject": "Help", "body": "   ", "priority": "normal"}
    )
    assert response.status_code == 400
    assert "Please tell us what you need." in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_ticket_waits_on_its_check_and_the_page_reloads_once_decided(northwind):
    # The commit's callbacks do not run here: the check has not happened yet.
    response = portal(SARA).post(
        reverse("portal:new"), {"subject": "Help", "body": MAIL, "priority": "normal"}
    )
    ticket = Ticket.objects.get()
    html = page(SARA, response["Location"])
    verdict_url = reverse("portal:verdict", args=[ticket.pk])
    assert f'hx-get="{verdict_url}"' in html
    assert "We are checking your request against your contract" in html
    still = portal(SARA).get(verdict_url)
    assert still.status_code == 200 and "HX-Refresh" not in still
    services.ticket_decide(ticket_id=ticket.pk)
    done = portal(SARA).get(verdict_url)
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")
    assert "Good news: this is covered by your contract" in page(SARA, response["Location"])


# --- the service picker ----------------------------------------------------------


def test_the_service_picker_says_what_the_contract_says_before_anything_is_sent(northwind):
    picker = options(page(SARA, reverse("portal:new")))
    assert picker[""] == "I'm not sure, please decide for me"
    assert picker["hosting.email"] == "Email on our servers · Included"
    assert picker["web.cms_plugins"] == "CMS plugins and themes · Paid: 60.00 EUR"
    assert picker["web.script_debugging"] == (
        "Debugging your own site's code · Paid: 90.00 EUR per hour"
    )
    # No clause names web.development: the contract makes unlisted services paid.
    assert picker["web.development"] == (
        "New features and design changes · Paid: 90.00 EUR per hour"
    )
    assert picker["marketing.seo"] == "Search engine optimisation · Not covered"


def test_the_picker_explains_each_service_in_full(northwind):
    html = page(SARA, reverse("portal:new"))
    assert "we expect about 2 hours, so around 180.00 EUR" in html
    assert "nothing is charged unless you accept it" in html
    assert "We are glad to recommend SEO agencies we have worked with." in html
    assert "Restoring files or databases from our backups, twice a month." in html


def test_unlisted_services_are_not_covered_where_the_contract_excludes_them(volga):
    client = portal(OLGA)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    picker = options(client.get(reverse("portal:new")).content.decode())
    assert picker["web.development"] == "New features and design changes · Not covered"


def test_the_picker_starts_from_the_service_asked_about(northwind):
    html = page(SARA, reverse("portal:new") + "?service=web.cms_plugins")
    assert re.search(r'<option value="web.cms_plugins" selected>', html)
    detail = re.search(
        r'<div class="picker-detail paid" data-service="web.cms_plugins"[^>]*>', html
    )
    assert "hidden" not in detail.group(0)


# --- offers --------------------------------------------------------------------


def test_the_ticket_page_shows_the_offer_with_two_clear_buttons(northwind, file):
    ticket = file(SARA, PLUGIN)
    html = page(SARA, reverse("portal:ticket", args=[ticket.pk]))
    assert "Paid work" in html and "60.00 EUR" in html
    assert "Please answer by" in html
    offer = ticket.offers.get()
    assert f'action="{reverse("portal:offer", args=[offer.pk])}"' in html
    assert 'name="answer" value="accept"' in html
    assert 'name="answer" value="decline"' in html


def test_an_hourly_offer_shows_its_price_and_estimate(northwind, file):
    ticket = file(SARA, SCRIPT, service="web.script_debugging")
    html = page(SARA, reverse("portal:ticket", args=[ticket.pk]))
    assert "Around 180.00 EUR" in html
    assert "90.00 EUR per hour; we expect about 2 hours" in html
    assert "2 hours" in html


def test_past_the_allowance_the_offer_is_at_the_hourly_rate(volga, file):
    for _ in range(3):  # the basic plan includes three tickets a month
        file(OLGA, MAIL)
    ticket = file(OLGA, MAIL)
    assert ticket.verdict == "over_allowance"
    client = portal(OLGA)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "Beyond this month&#x27;s allowance" in html
    assert "this month&#x27;s included support is used up" in html
    assert "4,000.00 RUB" in html or "4000.00 RUB" in html
    assert 'name="answer" value="accept"' in html


def test_accepting_the_offer_from_the_ticket_page(northwind, file, post):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    response = post(SARA, reverse("portal:offer", args=[offer.pk]), {"answer": "accept"})
    html = response.content.decode()
    assert "Thank you for accepting the offer" in html
    offer.refresh_from_db()
    ticket.refresh_from_db()
    assert (offer.status, offer.answered_by.email) == (Offer.Status.ACCEPTED, SARA)
    assert ticket.status == Status.OPEN
    assert "You accepted this offer" in html
    assert "You accepted our offer, so we are doing this as paid work" in html
    assert 'value="accept"' not in html


def test_declining_the_offer_from_the_ticket_page(northwind, file, post):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    response = post(SARA, reverse("portal:offer", args=[offer.pk]), {"answer": "decline"})
    html = response.content.decode()
    assert "Thank you for letting us know" in html
    assert "You declined our offer, so we have closed this request." in html
    assert 'value="accept"' not in html
    offer.refresh_from_db()
    ticket.refresh_from_db()
    assert (offer.status, ticket.status) == (Offer.Status.DECLINED, Status.RESOLVED)


def test_an_offer_is_answered_once(northwind, file, post):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    post(SARA, reverse("portal:offer", args=[offer.pk]), {"answer": "accept"})
    again = post(SARA, reverse("portal:offer", args=[offer.pk]), {"answer": "decline"})
    assert "already been answered" in again.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED


def test_an_answer_that_is_neither_accept_nor_decline_changes_nothing(northwind, file, post):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    response = post(SARA, reverse("portal:offer", args=[offer.pk]), {"answer": "maybe"})
    assert "Please choose whether to accept or decline" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_a_manager_may_answer_an_offer_for_their_organisation(northwind, file, post):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    post(AINO, reverse("portal:offer", args=[offer.pk]), {"answer": "accept"})
    offer.refresh_from_db()
    assert (offer.status, offer.answered_by.email) == (Offer.Status.ACCEPTED, AINO)


# --- replies -------------------------------------------------------------------


def test_a_reply_with_a_file_joins_the_conversation(northwind, file, post):
    ticket = file(SARA, MAIL)
    response = post(
        SARA,
        reverse("portal:reply", args=[ticket.pk]),
        {"body": "It started at 14:02.\nSecond line.", "attachments": [upload("bounce.png")]},
    )
    html = response.content.decode()
    assert "your reply has been added" in html
    message = ticket.messages.get(kind="public")
    assert message.body == "It started at 14:02.\nSecond line."
    assert message.attachments.get().name == "bounce.png"
    assert escape(message.body) in html  # line breaks kept, shown as written


def test_a_reply_reopens_a_resolved_ticket(northwind, file, post, technician):
    ticket = file(SARA, MAIL)
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    response = post(SARA, reverse("portal:reply", args=[ticket.pk]), {"body": "It is back."})
    assert "We have reopened the ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_reply_to_a_ticket_waiting_on_the_customer_brings_it_back(
    northwind, file, post, technician
):
    ticket = file(SARA, MAIL)
    services.ticket_change_status(ticket_id=ticket.pk, status="waiting_on_customer")
    response = post(SARA, reverse("portal:reply", args=[ticket.pk]), {"body": "Here it is."})
    assert "A technician will continue from here" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_reply_to_an_open_ticket_leaves_it_as_it_is(northwind, file, post, technician):
    ticket = file(SARA, MAIL)
    response = post(SARA, reverse("portal:reply", args=[ticket.pk]), {"body": "One more thing."})
    assert "your reply has been added" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_closed_ticket_offers_a_new_one_instead_of_a_reply(northwind, file, technician):
    ticket = file(SARA, MAIL)
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    services.ticket_change_status(ticket_id=ticket.pk, status="closed")
    html = page(SARA, reverse("portal:ticket", args=[ticket.pk]))
    assert "This ticket is closed" in html
    assert reverse("portal:reply", args=[ticket.pk]) not in html


# --- asking for a manager ------------------------------------------------------


def test_asking_for_a_manager_emails_the_account_manager(northwind, file, post, lead):
    northwind.account_manager = lead
    northwind.save()
    ticket = file(SARA, MAIL)
    mail.outbox.clear()
    html = page(SARA, reverse("portal:ticket", args=[ticket.pk]))
    assert "your account manager" in html
    response = post(
        SARA, reverse("portal:escalate", args=[ticket.pk]), {"reason": "Nobody has replied."}
    )
    assert "We have asked a manager to look at this ticket" in response.content.decode()
    assert "A manager is looking at this" in response.content.decode()
    (sent,) = mail.outbox
    assert sent.to == [lead.email]
    assert "Nobody has replied." in sent.body and f"#{ticket.pk}" in sent.subject
    again = post(SARA, reverse("portal:escalate", args=[ticket.pk]), {"reason": "Still nothing."})
    assert "already been asked" in again.content.decode()
    assert Escalation.objects.count() == 1 and len(mail.outbox) == 1


def test_without_an_account_manager_the_leads_are_asked_in_the_desks_language(
    northwind, file, post, lead
):
    northwind.account_manager = None
    northwind.save()
    ticket = file(SARA, MAIL)
    mail.outbox.clear()
    # Aino reads the portal in Finnish; the technicians read the note in English.
    post(AINO, reverse("portal:escalate", args=[ticket.pk]), {"reason": "Ei vastausta."})
    (sent,) = mail.outbox
    assert sent.to == [lead.email]
    assert "asks for a manager" in sent.subject and "Ei vastausta." in sent.body
    note = ticket.messages.get(kind="internal")
    assert note.body == "Asked for a manager: Ei vastausta."


def test_asking_for_a_manager_needs_a_reason(northwind, file):
    ticket = file(SARA, MAIL)
    response = portal(SARA).post(reverse("portal:escalate", args=[ticket.pk]), {"reason": ""})
    assert response.status_code == 400
    assert not Escalation.objects.exists()


# --- rating --------------------------------------------------------------------


def test_the_help_is_rated_only_after_resolution_and_only_once(northwind, file, post, technician):
    ticket = file(SARA, MAIL)
    rate = reverse("portal:rate", args=[ticket.pk])
    assert rate not in page(SARA, reverse("portal:ticket", args=[ticket.pk]))
    early = post(SARA, rate, {"score": "5"})
    assert "once the ticket is resolved" in early.content.decode()
    assert not Rating.objects.exists()

    services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    assert rate in page(SARA, reverse("portal:ticket", args=[ticket.pk]))
    response = post(SARA, rate, {"score": "4", "comment": "Quick and friendly."})
    html = response.content.decode()
    assert "Thank you for your rating" in html
    assert "Good (4 of 5)" in html and "Quick and friendly." in html
    assert rate not in html

    again = post(SARA, rate, {"score": "1"})
    assert "rated already" in again.content.decode()
    rating = Rating.objects.get()
    assert (rating.score, rating.rated_by.email) == (4, SARA)


def test_a_rating_out_of_range_is_refused(northwind, file, technician):
    ticket = file(SARA, MAIL)
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    response = portal(SARA).post(reverse("portal:rate", args=[ticket.pk]), {"score": "9"})
    assert response.status_code == 400
    assert not Rating.objects.exists()


# --- the lists -----------------------------------------------------------------


def test_a_contact_without_tickets_gets_a_friendly_start(northwind):
    html = page(SARA, reverse("portal:tickets"))
    assert "You have no tickets yet" in html
    assert reverse("portal:new") in html


def test_the_list_shows_each_verdict_in_plain_words(northwind, file):
    file(SARA, MAIL, subject="Mail is lost")
    file(SARA, PLUGIN, subject="A plugin")
    file(SARA, SEO, subject="SEO")
    html = page(SARA, reverse("portal:tickets"))
    assert "Included in your contract" in html
    assert "Paid work" in html
    assert "Not covered by your contract" in html
    # The offer's answer, and the refused ticket's (it waits a few days for one).
    assert "2 tickets are waiting for your answer." in html
    assert "in_scope" not in re.sub(r'class="[^"]*"', "", html)  # codes only in classes


def test_the_list_filters_by_state(northwind, file, technician):
    done = file(SARA, MAIL, subject="Solved one")
    file(SARA, PLUGIN, subject="Waiting one")
    services.ticket_change_status(ticket_id=done.pk, status="resolved")
    resolved = page(SARA, reverse("portal:tickets") + "?state=done")
    assert "Solved one" in resolved and "Waiting one" not in resolved
    yours = page(SARA, reverse("portal:tickets") + "?state=yours")
    assert "Waiting one" in yours and "Solved one" not in yours


def test_a_manager_chooses_between_their_own_and_the_organisations_tickets(northwind, file):
    file(SARA, MAIL, subject="Sara's ticket")
    file(AINO, MAIL, subject="Aino's ticket")
    mine = page(AINO, reverse("portal:tickets"))
    assert "Aino&#x27;s ticket" in mine and "Sara&#x27;s ticket" not in mine
    everyone = page(AINO, reverse("portal:tickets") + "?whose=all")
    assert "Aino&#x27;s ticket" in everyone and "Sara&#x27;s ticket" in everyone
    assert "Sara Berg" in everyone


def test_the_allowance_meters_show_what_is_used_and_left(northwind, file):
    file(SARA, MAIL)
    html = page(SARA, reverse("portal:tickets"))
    assert "1 of 10 used" in html and "9 tickets left" in html
    assert '<progress class="meter-bar" max="100" value="10"' in html
    assert "120 minutes left" in html


# --- what my contract covers -----------------------------------------------------


def test_the_coverage_page_says_it_in_plain_words(northwind):
    html = page(SARA, reverse("portal:coverage"))
    assert "Managed hosting, Business plan" in html
    assert "Included in your plan" in html
    assert "Available as paid work" in html
    assert "Not covered" in html
    assert "Your local IT support or the software&#x27;s vendor can help with these." in html
    assert "Not named in your contract, so we do it at our hourly rate." in html
    assert "Monday – Friday: 08:00–18:00" in html
    assert "There is no support on public holidays (FI)." in html
    assert "90.00 EUR per hour" in html
    assert "8 working hours" in html  # the first reply for normal priority
    assert reverse("portal:new") + "?service=hosting.email" in html


@pytest.mark.parametrize(
    ("email", "said"),
    [
        (SARA, "our on-call technician can start on it at once, as paid work: 180.00 EUR per hour"),
        (
            AINO,
            "päivystävä tukihenkilömme voi aloittaa sen heti maksullisena työnä: "
            "180,00 EUR tunnilta",
        ),
    ],
)
def test_the_coverage_page_names_the_price_of_on_call_work_when_the_contract_has_it(
    northwind, email, said
):
    assert "on-call" not in page(SARA, reverse("portal:coverage"))
    Contract.objects.filter(reference="HOST-2026-014").update(
        emergency_pricing="hourly", emergency_price=Decimal("180.00"), emergency_estimate="1h"
    )
    assert said in page(email, reverse("portal:coverage"))


def test_a_customer_whose_contract_ended_is_told_kindly(daugava):
    Contact.objects.filter(user__email=JANIS).update(language="en")  # read it in English
    html = page(JANIS, reverse("portal:coverage"))
    assert "You have no contract valid today" in html
    assert "ended on" in html
    assert "We would be glad to renew it." in html
    assert "Your contract is not valid today" in page(JANIS, reverse("portal:new"))


# --- language ------------------------------------------------------------------


def test_the_portal_speaks_the_language_of_the_contacts_profile(northwind):
    finnish = page(AINO, reverse("portal:new"))
    assert '<html lang="fi">' in finnish
    assert options(finnish)["hosting.email"].startswith("Sähköposti palvelimillamme ·")
    assert '<html lang="en">' in page(SARA, reverse("portal:new"))
    # No language of their own: the customer's.
    assert '<html lang="fi">' in page(MIKKO, reverse("portal:tickets"))


def test_the_language_can_be_switched_from_the_menu(northwind):
    client = portal(AINO)
    response = client.post(
        reverse("set_language"), {"language": "lv", "next": reverse("portal:new")}
    )
    assert response.status_code == 302
    html = client.get(reverse("portal:new")).content.decode()
    assert '<html lang="lv">' in html
    assert options(html)["hosting.email"].startswith("E-pasts mūsu serveros ·")


# --- the first password ----------------------------------------------------------


def test_the_reset_link_comes_in_the_contacts_language_whatever_the_browsers(northwind):
    # Aino reads Finnish; the form is sent from an English page.
    Client(headers={"accept-language": "en"}).post(reverse("password_reset"), {"email": AINO})
    (sent,) = mail.outbox
    assert sent.to == [AINO]
    assert "Tukitiimi" in sent.body and "Your support team" not in sent.body


def test_a_page_that_is_not_there_or_not_yours_says_so_kindly(northwind, file):
    ticket = file(SARA, MAIL)
    response = portal(MIKKO).get(reverse("portal:ticket", args=[ticket.pk]))
    assert response.status_code == 404
    assert "Emme löytäneet sivua" in response.content.decode()  # Mikko reads Finnish


def test_a_contact_who_never_had_a_password_gets_a_reset_link(northwind, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert not user(SARA).has_usable_password()
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "Sara@Northwind.example"})
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.to == [SARA]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", sent.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-secret-77", "new_password2": "a-long-new-secret-77"},
    )
    assert done.status_code == 302
    assert user(SARA).check_password("a-long-new-secret-77")
    logged_in = Client().post(
        reverse("login"), {"username": "SARA@northwind.example", "password": "a-long-new-secret-77"}
    )
    assert logged_in.status_code == 302
