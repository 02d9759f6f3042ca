"""Learning customers' words, the Django side: keeping the tickets whose service a
technician named, turning them into phrase suggestions (engine/learning.py), and
a lead's accept or reject. Recognition changes only when a lead accepts: the
phrase is then written to the catalogue, with its history, like any other edit."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.engine.learning import Example, suggest_phrases
from contracts.models import Customer, PhraseSuggestion, RecognitionExample, Service
from contracts.selectors import current_catalogue, service_catalogue

MAX_EXAMPLES = 2000  # the newest examples that one look for suggestions reads
SNIPPET_LENGTH = 160


class SuggestionError(Exception):
    """A suggestion that cannot be decided, with a message for the lead."""


def may_review_phrases(user) -> bool:
    """Suggestions change the catalogue: for those who may edit it."""
    return bool(user.is_authenticated and user.has_perm("contracts.change_service"))


def recognition_example_keep(
    *,
    service: Service,
    language: str,
    subject: str,
    text: str,
    customer: Customer,
    ticket_ref: int | None,
    by: User | None,
) -> RecognitionExample | None:
    """Keep a ticket's text with the service a person named for it, when the
    catalogue does not recognise that service in it (else there is nothing to
    learn). A ticket keeps one example, for the service it was named last."""
    recognised = current_catalogue().matcher.recognise(text, subject=subject).service
    if recognised == service.code:
        if ticket_ref is not None:
            RecognitionExample.objects.filter(ticket_ref=ticket_ref).delete()
        return None
    values = {
        "service": service,
        "language": language,
        "text": f"{subject.strip()}\n\n{text.strip()}".strip(),
        "customer": customer,
        "created_by": by,
    }
    if ticket_ref is None:
        return RecognitionExample.objects.create(**values)
    example, _created = RecognitionExample.objects.update_or_create(
        ticket_ref=ticket_ref, defaults=values
    )
    return example


def phrase_suggestions_refresh() -> int:
    """Look for phrases in the newest examples and store them for review; the
    pending ones no longer found go. Decided ones stay as they were. Returns how
    many are pending now."""
    examples = [
        Example(
            service=e.service.code,
            language=e.language,
            text=e.text,
            source=str(e.customer_id),
        )
        for e in RecognitionExample.objects.select_related("service")[:MAX_EXAMPLES]
    ]
    decided = {
        (s.service.code, s.language, s.key)
        for s in PhraseSuggestion.objects.exclude(status=PhraseSuggestion.Status.PENDING)
        .select_related("service")
        .only("service__code", "language", "key")
    }
    found = suggest_phrases(examples, service_catalogue(), decided=decided)
    services = {s.code: s for s in Service.objects.filter(code__in={f.service for f in found})}
    with transaction.atomic():
        pending = PhraseSuggestion.objects.filter(status=PhraseSuggestion.Status.PENDING)
        kept = []
        for suggestion in found:
            try:
                with transaction.atomic():
                    row, _created = pending.update_or_create(
                        service=services[suggestion.service],
                        language=suggestion.language,
                        key=suggestion.key,
                        defaults={
                            "phrase": suggestion.phrase,
                            "support": suggestion.support,
                            "recognised": suggestion.recognised,
                            "snippets": [_snippet(e.text) for e in suggestion.examples],
                        },
                    )
            except IntegrityError:
                continue  # a lead decided on it while we were looking: that stands
            kept.append(row.pk)
        pending.exclude(pk__in=kept).delete()
    return len(kept)


def _snippet(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SNIPPET_LENGTH else line[: SNIPPET_LENGTH - 1] + "…"


def phrase_suggestion_accept(*, suggestion_id: int, by: User) -> PhraseSuggestion:
    """Add the phrase to its service's phrases in its language. The catalogue's
    history names the lead; saving the service changes the terms' version, so
    ``current_catalogue`` rebuilds the recogniser at its next read."""
    with transaction.atomic():
        suggestion = _pending(suggestion_id, by)
        service = Service.objects.select_for_update().get(pk=suggestion.service_id)
        phrases = {language: list(p) for language, p in (service.phrases or {}).items()}
        own = phrases.setdefault(suggestion.language, [])
        if suggestion.phrase not in own:
            own.append(suggestion.phrase)
        service.phrases = phrases
        service._history_user = by  # type: ignore[attr-defined]  # read by simple-history
        service._change_reason = _(  # type: ignore[attr-defined]
            "Recognition phrase accepted from the desk's tickets: %(phrase)s (%(language)s)"
        ) % {"phrase": suggestion.phrase, "language": suggestion.language}
        service.save()
        return _decided(suggestion, PhraseSuggestion.Status.ACCEPTED, by)


def phrase_suggestion_reject(*, suggestion_id: int, by: User) -> PhraseSuggestion:
    """Set the phrase aside for good: it is not suggested again."""
    with transaction.atomic():
        return _decided(_pending(suggestion_id, by), PhraseSuggestion.Status.REJECTED, by)


def _pending(suggestion_id: int, by: User) -> PhraseSuggestion:
    if not may_review_phrases(by):
        raise SuggestionError(_("Only a lead can decide on recognition phrases."))
    suggestion = (
        PhraseSuggestion.objects.select_for_update().filter(pk=suggestion_id).first()
    )  # a lead's second click, or two leads at once, decide it once
    if suggestion is None:
        raise SuggestionError(_("There is no such suggestion."))
    if suggestion.status != PhraseSuggestion.Status.PENDING:
        raise SuggestionError(_("This suggestion has been decided already."))
    return suggestion


def _decided(suggestion: PhraseSuggestion, status: str, by: User) -> PhraseSuggestion:
    suggestion.status = status
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    return suggestion


@dataclass
class SuggestionGroup:
    """The pending suggestions of one service in one language."""

    service: Service
    language: str
    name: str  # the service's name in the reader's language
    suggestions: list[PhraseSuggestion] = field(default_factory=list)


def phrase_suggestions_for_review(reader_language: str) -> list[SuggestionGroup]:
    """Pending suggestions by service (catalogue order) and language; one query."""
    groups: dict[tuple[int, str], SuggestionGroup] = {}
    pending = (
        PhraseSuggestion.objects.filter(status=PhraseSuggestion.Status.PENDING)
        .select_related("service")
        .order_by("service__position", "service__code", "language", "-recognised", "phrase")
    )
    for suggestion in pending:
        group = groups.setdefault(
            (suggestion.service_id, suggestion.language),
            SuggestionGroup(
                suggestion.service,
                suggestion.language,
                suggestion.service.name(reader_language),
            ),
        )
        group.suggestions.append(suggestion)
    return list(groups.values())


def phrase_suggestions_decided(limit: int = 30):
    """The latest decisions on suggestions, newest first."""
    return (
        PhraseSuggestion.objects.exclude(status=PhraseSuggestion.Status.PENDING)
        .select_related("service", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
