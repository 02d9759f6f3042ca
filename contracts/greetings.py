"""The opening line of a reply, as a native speaker writes it in business mail.

One plain function per the reader's language: the contact's first name in the
form that language uses when addressing someone, or no name at all where the
form cannot be got right. A wrong form ("Labdien, Jānis!") reads worse than none.
"""

from __future__ import annotations

import re

# Latvian letters only: a Latvian name the vocative rules below know how to bend.
_LATVIAN_NAME = re.compile(r"^[A-Za-z\u0100-\u017e-]+$")


def first_name(full_name: str) -> str:
    """The first word of a contact's name ("Jānis" of "Jānis Bērziņš"); "" when
    that is no first name: an e-mail address kept as the name, a title ("Dr.")."""
    words = full_name.split()
    first = words[0] if words else ""
    if "@" in first or first.endswith(".") or not first[:1].isalpha():
        return ""
    return first


def latvian_vocative(name: str) -> str | None:
    """The vocative of a Latvian first name, or None where the rules do not know it.

    Masculine names ending in -s or -š drop it (Jānis → Jāni, Pēteris → Pēteri,
    Edgars → Edgar, Mikus → Miku); names ending in -a or -e (Anna, Līga, Alise)
    keep their form. Anything else — a foreign name such as Aino, or one in
    another script — is left unaddressed.
    """
    if len(name) < 2 or not _LATVIAN_NAME.match(name):
        return None
    last = name[-1]
    if last in "sš":
        return name[:-1]
    if last in "ae":
        return name
    return None


def greeting(name: str, language: str) -> str:
    """ "Hello Sara,", "Здравствуйте, Анна!", "Hei Sara,", "Labdien, Jāni!";
    without a usable name "Hello,", "Здравствуйте!", "Hei,", "Labdien!"."""
    first = first_name(name)
    if language == "ru":
        return f"Здравствуйте, {first}!" if first else "Здравствуйте!"
    if language == "lv":
        vocative = latvian_vocative(first)
        return f"Labdien, {vocative}!" if vocative else "Labdien!"
    if language == "fi":
        return f"Hei {first}," if first else "Hei,"
    return f"Hello {first}," if first else "Hello,"
