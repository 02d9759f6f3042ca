"""Mixed requests written the way customers write them: two things in one message.

Each row expects the parts a careful lead would make, in the order the text asks
for them: the service of each and its verdict under the example contracts
(examples/contract-*.yaml) at the moments of test_realistic_requests.py, with
nothing used yet this month. Scored in tests/contracts/test_mixed_requests.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.engine.terms import Verdict
from tests.contracts.realistic_rows import AINO, IVAN, JANIS, MIKKO, OLGA, SARA

IN = Verdict.IN_SCOPE
PAID = Verdict.PAID_OPTION
OUT = Verdict.OUT_OF_SCOPE


@dataclass(frozen=True)
class MixedRow:
    language: str
    sender: str
    subject: str
    text: str
    parts: tuple[tuple[str, Verdict], ...]  # (service, verdict) per part, in the text's order
    kind: str = "mixed"


MIXED_ROWS: list[MixedRow] = [
    # --- English: Sara at Northwind (hosting included; plugins, code, training paid) ---
    MixedRow(
        "en",
        SARA,
        "mail + plugin",
        "Hi, our mail is down since this morning, nobody gets any messages. "
        "And also, could you install the Yoast plugin on the blog? Thanks, Sara",
        (("hosting.email", IN), ("web.cms_plugins", PAID)),
    ),
    MixedRow(
        "en",
        SARA,
        "Two things",
        "The website shows a 502 Bad Gateway again. Another thing: we'd like somebody "
        "to teach our new colleague how to use the shop admin.",
        (("hosting.availability", IN), ("consulting.training", PAID)),
    ),
    MixedRow(
        "en",
        SARA,
        "SSL and SEO",
        "Hello, the SSL certificate on our shop has expired and browsers warn visitors. "
        "Also, can you get us higher in Google search results?",
        (("hosting.ssl", IN), ("marketing.seo", OUT)),
    ),
    MixedRow(
        "en",
        SARA,
        "password, and a script",
        "I'm locked out of the control panel, please reset my password. Plus our custom "
        "PHP script throws a fatal error on line 42, could you fix the code?",
        (("hosting.access", IN), ("web.script_debugging", PAID)),
    ),
    MixedRow(
        "en",
        SARA,
        "backup",
        "Someone deleted files from the server yesterday, please restore them from the "
        "backup. Also my laptop printer stopped working after a Windows update.",
        (("hosting.backup_restore", IN), ("thirdparty.software", OUT)),
    ),
    # --- Russian: Ivan and Olga at Volga Media (hosting basics included; SSL, plugins paid) ---
    MixedRow(
        "ru",
        IVAN,
        "Почта и плагин",
        "Здравствуйте! С утра не приходит почта на наши ящики. А также нужно поставить "
        "плагин для WordPress на сайт.",
        (("hosting.email", IN), ("web.cms_plugins", PAID)),
    ),
    MixedRow(
        "ru",
        OLGA,
        "Сайт лежит",
        "Сайт не открывается, выдаёт ошибку 502. Кроме того, помогите с продвижением "
        "сайта в Яндексе.",
        (("hosting.availability", IN), ("marketing.seo", OUT)),
    ),
    MixedRow(
        "ru",
        IVAN,
        "DNS и сертификат",
        "Добрый день, направьте, пожалуйста, домен shop.volga-media.example на новый "
        "сервер, нужна MX запись. И ещё у нас истёк SSL сертификат.",
        (("hosting.dns", IN), ("hosting.ssl", PAID)),
    ),
    MixedRow(
        "ru",
        OLGA,
        "счёт",
        "Пришлите, пожалуйста, счёт за ноябрь. А также в нашем скрипте ошибка, "
        "поправьте код, если можно.",
        (("billing.invoice", IN), ("web.script_debugging", OUT)),
    ),
    MixedRow(
        "ru",
        IVAN,
        "Сайт и бэкап",
        "Сервер не отвечает уже полчаса! Кроме того, после вчерашнего сбоя надо "
        "восстановить из бэкапа удалённые файлы.",
        (("hosting.availability", IN), ("hosting.backup_restore", PAID)),
    ),
    # --- Finnish: Aino and Mikko at Northwind ---
    MixedRow(
        "fi",
        AINO,
        "Sähköposti ja lisäosa",
        "Hei, sähköposti ei tule perille aamusta asti. Lisäksi pitäisi asentaa "
        "WordPressiin uusi lisäosa uutiskirjettä varten.",
        (("hosting.email", IN), ("web.cms_plugins", PAID)),
    ),
    MixedRow(
        "fi",
        MIKKO,
        "Sivusto alhaalla",
        "Moi, sivusto ei aukea ollenkaan, tulee 503-virhe. Ja myös haluaisimme näkyä "
        "paremmin Googlessa, voitteko tehdä hakukoneoptimointia?",
        (("hosting.availability", IN), ("marketing.seo", OUT)),
    ),
    MixedRow(
        "fi",
        AINO,
        "Kaksi asiaa",
        "En pääse hallintapaneeliin, nollatkaa salasana. Sen lisäksi tarvitsisimme "
        "koulutusta verkkokaupan ylläpitoon uudelle työntekijälle.",
        (("hosting.access", IN), ("consulting.training", PAID)),
    ),
    MixedRow(
        "fi",
        MIKKO,
        "Hidas sivu",
        "Sivusto on todella hidas, sivut latautuvat hitaasti koko päivän. Lisäksi "
        "tulostin ei toimi kannettavani kanssa.",
        (("hosting.performance", IN), ("thirdparty.software", OUT)),
    ),
    MixedRow(
        "fi",
        AINO,
        "Varmenne ja siirto",
        "SSL-varmenne on vanhentunut ja selain varoittaa. Myös toisen sivustomme "
        "siirto meille toiselta palveluntarjoajalta olisi ajankohtainen.",
        (("hosting.ssl", IN), ("web.migration", PAID)),
    ),
    # --- Latvian: Jānis at Daugava (site and plugins included; the rest not listed) ---
    MixedRow(
        "lv",
        JANIS,
        "Vietne un e-pasts",
        "Labdien, mūsu vietne nedarbojas kopš rīta. Turklāt e-pasts nepienāk uz mūsu pastkastīti.",
        (("hosting.availability", IN), ("hosting.email", OUT)),
    ),
    MixedRow(
        "lv",
        JANIS,
        "Spraudnis un SEO",
        "Lūdzu, uzstādiet mūsu vietnei sīkdatņu spraudni. Un arī gribētu labākas "
        "meklēšanas pozīcijas Google.",
        (("web.cms_plugins", IN), ("marketing.seo", OUT)),
    ),
    MixedRow(
        "lv",
        JANIS,
        "Divas lietas",
        "Serveris neatbild, lapa neatveras. Kā arī lūdzu atjaunojiet no rezerves kopijas "
        "vakar izdzēstos failus.",
        (("hosting.availability", IN), ("hosting.backup_restore", OUT)),
    ),
    MixedRow(
        "lv",
        JANIS,
        "Tēma",
        "Lūdzu, atjauniniet mūsu WordPress tēmu. Vēl mums vajadzīga apmācība, kā lietot "
        "administrēšanas paneli.",
        (("web.cms_plugins", IN), ("consulting.training", OUT)),
    ),
    MixedRow(
        "lv",
        JANIS,
        "Rēķins",
        "Vietne atkal nedarbojas, rāda kļūdu 503. Turklāt lūdzu atsūtiet rēķinu par oktobri.",
        (("hosting.availability", IN), ("billing.invoice", OUT)),
    ),
]
