"""Finnish and Latvian rows of the realistic table (test_realistic_requests.py), in
customers' own words: colloquial Finnish ("ei toimi", "ois kiva jos"), Latvian with
and without diacritics, very short texts with typos, replies that quote earlier
messages about other services, technical words (MX, SPF, CNAME, 502, SMTP, IMAP,
cPanel) and English terms inside the sentence, a picked service that the text
contradicts, and texts that name a service only to say they are not about it.

Expected verdicts as in the table: what a careful lead gives under the example
contracts at the table's MOMENTS. Northwind (Finnish) includes most hosting work;
Daugava (Latvian, October 2025) includes only the site's availability and plugins,
and excludes every other service. When the picked service contradicts a text that
clearly asks for another, the row expects the text's service: today's engine gives
`needs_review` there, a safe miss.
"""

from __future__ import annotations

from tests.contracts.realistic_rows import AINO, IN, JANIS, MIKKO, OUT, PAID, REVIEW, Row

FI_ROWS: list[Row] = [
    # --- Finnish: Aino and Mikko at Northwind; most hosting work included ---
    Row("fi", AINO, "apua", "sivut ei toimi", IN, "hosting.availability", kind="short"),
    Row("fi", MIKKO, "KIIRE", "sivusto alhaalla!!", IN, "hosting.availability", kind="short"),
    Row(
        "fi",
        MIKKO,
        "sivusto nurin",
        "sivusto nurin taas, korjatkaa pls",
        IN,
        "hosting.availability",
        kind="short",
    ),
    Row("fi", AINO, "posti", "sähköpostit ei tuu perille", IN, "hosting.email", kind="short"),
    Row(
        "fi",
        MIKKO,
        "salis",
        "salasana hukassa, en pääse sisään",
        IN,
        "hosting.access",
        kind="short",
    ),
    Row("fi", AINO, "varmenne", "varmene vanhentunu?", IN, "hosting.ssl", kind="short"),
    Row(
        "fi", MIKKO, "hidasta", "sivusto tosi hidas tänään", IN, "hosting.performance", kind="short"
    ),
    Row("fi", AINO, "laskusta", "lokakuun lasku väärin?", IN, "billing.invoice", kind="short"),
    Row(
        "fi",
        MIKKO,
        "sahkoposti",
        "sahkoposti ei kulje, viestit ei mene perille",
        IN,
        "hosting.email",
        kind="short",
    ),
    Row(
        "fi",
        AINO,
        "paneeli",
        "En paase hallintapaneeliin, salasana ei kelpaa",
        IN,
        "hosting.access",
        kind="short",
    ),
    Row(
        "fi",
        AINO,
        "Re: Sähköpostilaatikko",
        "Hei,\n\nnyt on sivusto taas alhaalla, selain näyttää vain 503-virhettä.\n\n"
        "Ystävällisin terveisin\nAino Virtanen\nNorthwind Webshop Oy\npuh. 040 123 4567\n\n"
        "Lähettäjä: Scopedesk-tuki <tuki@scopedesk.example>\n"
        "Lähetetty: maanantai 16. marraskuuta 2026 14.02\n"
        "Vastaanottaja: Aino Virtanen\nAihe: Sähköpostilaatikko\n\n"
        "Hei Aino, uusi sähköpostilaatikko liisa@northwind.example on luotu ja "
        "salasana lähetetty tekstiviestillä. Jos posti ei kulje, kertokaa.",
        IN,
        "hosting.availability",
        kind="quoted",
    ),
    Row(
        "fi",
        MIKKO,
        "Re: Klarna-lisäosa",
        "Moi, nyt ei taas tule yhtään sähköpostia info-osoitteeseen, asiakkaat "
        "sanoo että viestit palautuu.\n\n"
        "ma 16.11.2026 klo 9.12 Scopedesk-tuki <tuki@scopedesk.example> kirjoitti:\n"
        "> Hei Mikko, Klarna-lisäosa on nyt asennettu WordPressiin ja teema päivitetty.\n"
        "> Lisäosan asennus laskutetaan sopimuksen mukaan (60 €).",
        IN,
        "hosting.email",
        kind="quoted",
    ),
    Row(
        "fi",
        AINO,
        "Re: Sivusto alhaalla",
        "Kiitos nopeasta avusta! Yksi juttu vielä: voisitteko asentaa meille "
        "WordPressiin evästebanneri-lisäosan?\n\n"
        "Terveisin\nAino\n\n"
        "ti 17.11.2026 klo 8.40 Scopedesk-tuki <tuki@scopedesk.example> kirjoitti:\n"
        "> Sivusto on taas pystyssä, palvelin ei vastannut yön aikana.\n"
        "> Katkos kesti noin tunnin.",
        PAID,
        "web.cms_plugins",
        kind="quoted",
    ),
    Row(
        "fi",
        MIKKO,
        "Re: TXT-tietue",
        "Hei,\n\nselain varoittaa taas että yhteys ei ole suojattu, varmenteen "
        "voimassaolo on ilmeisesti päättynyt eilen.\n\n"
        "Terveisin\nMikko Laine\nNorthwind Webshop Oy\npuh. 050 765 4321\n\n"
        "> TXT-tietue on lisätty verkkotunnukselle, DNS-muutos näkyy tunnin sisällä.",
        IN,
        "hosting.ssl",
        kind="quoted",
    ),
    Row(
        "fi",
        AINO,
        "Re: Sivut alhaalla",
        "Kiitos, nyt toimii taas!\n\n"
        "ti 17.11.2026 klo 9.05 Scopedesk-tuki <tuki@scopedesk.example> kirjoitti:\n"
        "> Sivustonne oli alhaalla palvelinvian takia, korjasimme sen juuri.",
        REVIEW,
        kind="quoted",
    ),
    Row(
        "fi",
        MIKKO,
        "Google Workspace",
        "Siirrymme Google Workspaceen. Voisitteko lisätä verkkotunnukselle SPF- ja "
        "DKIM-tietueet? Arvot liitteenä.",
        IN,
        "hosting.dns",
        kind="technical",
    ),
    Row(
        "fi",
        AINO,
        "www-osoite",
        "www-osoitteen CNAME pitäisi osoittaa uuteen kampanjasivuun, kohde on landing.example.net.",
        IN,
        "hosting.dns",
        kind="technical",
    ),
    Row(
        "fi",
        MIKKO,
        "Uusi IP",
        "A-tietue pitäisi vaihtaa osoittamaan uuteen IP-osoitteeseen 203.0.113.20.",
        IN,
        "hosting.dns",
        kind="technical",
    ),
    Row(
        "fi",
        AINO,
        "503",
        "Kaupassa näkyy nyt vain '503 Service Unavailable'. Mitä on tapahtunut?",
        IN,
        "hosting.availability",
        kind="technical",
    ),
    Row(
        "fi",
        MIKKO,
        "connection refused",
        "curl antaa 'connection refused' kun yritän avata kaupan etusivua.",
        IN,
        "hosting.availability",
        kind="technical",
    ),
    Row(
        "fi",
        MIKKO,
        "IMAP",
        "IMAP-yhteys ei toimi puhelimen sähköpostisovelluksessa, kirjautuminen epäonnistuu.",
        IN,
        "hosting.email",
        kind="technical",
    ),
    Row(
        "fi",
        AINO,
        "SMTP",
        "SMTP-palvelin hylkää viestit, ne jää lähtevät-kansioon eikä mitään lähde.",
        IN,
        "hosting.email",
        kind="technical",
    ),
    Row(
        "fi",
        AINO,
        "cPanel",
        "En pääse cPaneliin, tunnukset eivät kelpaa enää.",
        IN,
        "hosting.access",
        kind="technical",
    ),
    Row(
        "fi",
        MIKKO,
        "SPF",
        "Hei, meidän SPF record puuttuu, voitteko lisätä sen?",
        IN,
        "hosting.dns",
        kind="mixed_language",
    ),
    Row(
        "fi",
        MIKKO,
        "site down",
        "meidän site on down, tulee pelkkä error 502",
        IN,
        "hosting.availability",
        kind="mixed_language",
    ),
    Row(
        "fi",
        AINO,
        "certificate",
        "Meidän SSL certificate on expired, selain antaa varoituksen kaikille asiakkaille.",
        IN,
        "hosting.ssl",
        kind="mixed_language",
    ),
    Row(
        "fi",
        MIKKO,
        "restore",
        "Tarviis restoren eilisestä backupista, joku poisti tuotteita vahingossa.",
        IN,
        "hosting.backup_restore",
        kind="mixed_language",
    ),
    Row(
        "fi",
        AINO,
        "mailit",
        "Emailit bouncaa takaisin, onko serverillä jotain vikaa?",
        IN,
        "hosting.email",
        kind="mixed_language",
    ),
    Row(
        "fi",
        MIKKO,
        "Evästeet",
        "Asentaisitteko WordPressiin evästeilmoitus-lisäosan?",
        PAID,
        "web.cms_plugins",
        picked="hosting.email",
        kind="picked",
    ),
    Row(
        "fi",
        AINO,
        "Toinen sivusto",
        "Voitteko siirtää toisen sivustomme nykyiseltä palveluntarjoajalta teidän palvelimelle?",
        PAID,
        "web.migration",
        picked="hosting.availability",
        kind="picked",
    ),
    Row(
        "fi",
        MIKKO,
        "posti jumissa",
        "Kenellekään ei tule sähköposteja aamun jälkeen.",
        IN,
        "hosting.email",
        picked="thirdparty.software",
        kind="picked",
    ),
    Row(
        "fi",
        AINO,
        "Sivusto alhaalla",
        "Tämä ei liity sähköpostiin: sivusto on ollut alhaalla aamusta asti.",
        IN,
        "hosting.availability",
        kind="negation",
    ),
    Row(
        "fi",
        MIKKO,
        "Ei lasku-asia",
        "Ei ole kyse laskusta, vaan siitä että hallintapaneeliin ei pääse kirjautumaan.",
        IN,
        "hosting.access",
        kind="negation",
    ),
    Row(
        "fi",
        AINO,
        "Tiimisivu",
        "ois kiva jos sais kauppaan uuden sivun jossa esitellään meidän tiimi",
        PAID,
        "web.development",
    ),
    Row(
        "fi",
        MIKKO,
        "Kadonnut tiedosto",
        "Yks hinnasto-pdf hävis palvelimelta, saako sen takas varmuuskopiosta?",
        IN,
        "hosting.backup_restore",
    ),
    Row(
        "fi",
        AINO,
        "Näkyvyys",
        "Miten saatais meidän kauppa paremmin näkyviin Googlen hakutuloksissa?",
        OUT,
        "marketing.seo",
    ),
    Row(
        "fi",
        MIKKO,
        "Läppäri",
        "Mun läppäri ei käynnisty ollenkaan, voitteko auttaa?",
        OUT,
        "thirdparty.software",
    ),
    Row(
        "fi",
        AINO,
        "Katsotteko",
        "Hei, voisitteko katsoa tätä? Kuvakaappaus liitteenä.",
        REVIEW,
    ),
    Row(
        "fi",
        MIKKO,
        "outoa",
        "Jotain outoa tapahtuu, mikään ei oikein toimi niinku pitäis.",
        REVIEW,
    ),
]


LV_ROWS: list[Row] = [
    # --- Latvian: Jānis at Daugava; only the site's availability and plugins included ---
    Row("lv", JANIS, "steidzami", "lapa nestrādā", IN, "hosting.availability", kind="short"),
    Row("lv", JANIS, "vietne", "vietne nestrada!!", IN, "hosting.availability", kind="short"),
    Row(
        "lv", JANIS, "atkal", "Mājaslapa atkal nokritusi.", IN, "hosting.availability", kind="short"
    ),
    Row(
        "lv", JANIS, "spraudni", "ludzu atjaunojiet spraudnus", IN, "web.cms_plugins", kind="short"
    ),
    Row("lv", JANIS, "parole", "nevaru ielogoties panelī", OUT, "hosting.access", kind="short"),
    Row("lv", JANIS, "epasts", "epasti nepienak", OUT, "hosting.email", kind="short"),
    Row(
        "lv",
        JANIS,
        "palīgā",
        "lapa neiet vaļā no rīta, palīdziet!!",
        IN,
        "hosting.availability",
        kind="short",
    ),
    Row(
        "lv",
        JANIS,
        "FTP programmetajam",
        "Sveiki, ludzu izveidojiet jaunu FTP lietotaju musu programmetajam",
        OUT,
        "hosting.access",
    ),
    Row(
        "lv",
        JANIS,
        "Re: Jauna e-pasta kastīte",
        "Labdien,\n\nvietne atkal nav pieejama, rāda tikai kļūdu 503.\n\n"
        "Ar cieņu,\nJānis Bērziņš\nSIA Daugavas Dizains\ntālr. +371 2000 0000\n\n"
        "pirmd., 2025. g. 13. okt., plkst. 15:20 — Scopedesk <atbalsts@scopedesk.example> "
        "rakstīja:\n"
        "> Labdien, jaunā e-pasta kastīte grāmatvedei ir izveidota, parole nosūtīta.\n"
        "> E-pasta iestatīšana netiek segta ar līgumu.",
        IN,
        "hosting.availability",
        kind="quoted",
    ),
    Row(
        "lv",
        JANIS,
        "Re: Rēķins par septembri",
        "Paldies! Un vēl: lūdzu atjauniniet WooCommerce un pārējos spraudņus, "
        "WordPress rāda brīdinājumus.\n\n"
        "2025. gada 13. okt., plkst. 10:02 Scopedesk <atbalsts@scopedesk.example> rakstīja:\n"
        "> Rēķins par septembri ir nosūtīts vēlreiz uz grāmatvedes e-pastu.",
        IN,
        "web.cms_plugins",
        kind="quoted",
    ),
    Row(
        "lv",
        JANIS,
        "Re: Vietne nedarbojas",
        "Paldies, tagad viss strādā!\n\n"
        "2025. gada 14. okt., plkst. 09:15 Scopedesk <atbalsts@scopedesk.example> rakstīja:\n"
        "> Jūsu vietne nebija pieejama servera kļūmes dēļ, tagad tā atkal darbojas.",
        REVIEW,
        kind="quoted",
    ),
    Row(
        "lv",
        JANIS,
        "RE: Spraudņa atjauninājums",
        "Sveiki, tagad Chrome saka, ka mūsu lapas SSL sertifikātam beidzies termiņš.\n\n"
        "No: Scopedesk <atbalsts@scopedesk.example>\n"
        "Nosūtīts: pirmdiena, 2025. gada 13. oktobris 16:40\n"
        "Kam: Jānis Bērziņš\nTēma: Spraudņa atjauninājums\n\n"
        "Labdien, kontaktformas spraudnis ir atjaunināts, vietne strādā normāli.",
        OUT,
        "hosting.ssl",
        kind="quoted",
    ),
    Row(
        "lv",
        JANIS,
        "Re: lapa",
        "Labdien, grāmatvedei nepienāk neviens e-pasts kopš vakardienas.\n\n"
        "> Vietne atkal darbojas, problēma bija serverī.\n"
        ">\n> Ar cieņu, Scopedesk\n\n"
        "-- \nJānis Bērziņš\nSIA Daugavas Dizains",
        OUT,
        "hosting.email",
        kind="quoted",
    ),
    Row(
        "lv",
        JANIS,
        "MX",
        "Vajag nomainīt MX ierakstus uz Google Workspace serveriem.",
        OUT,
        "hosting.dns",
        kind="technical",
    ),
    Row(
        "lv",
        JANIS,
        "SPF un DKIM",
        "Lūdzu pievienojiet SPF un DKIM ierakstus mūsu domēnam.",
        OUT,
        "hosting.dns",
        kind="technical",
    ),
    Row(
        "lv",
        JANIS,
        "502",
        "Vietne rāda 502 Bad Gateway kopš pusdienlaika.",
        IN,
        "hosting.availability",
        kind="technical",
    ),
    Row(
        "lv",
        JANIS,
        "Nevar atvērt",
        "Pārlūks saka 'connection refused', kad atveru mūsu mājaslapu.",
        IN,
        "hosting.availability",
        kind="technical",
    ),
    Row(
        "lv",
        JANIS,
        "IMAP",
        "IMAP telefonā vairs nesinhronizē vēstules, pēdējās ir no pirmdienas.",
        OUT,
        "hosting.email",
        kind="technical",
    ),
    Row(
        "lv",
        JANIS,
        "cPanel",
        "Nevaru tikt iekšā cPanel, parole neder.",
        OUT,
        "hosting.access",
        kind="technical",
    ),
    Row(
        "lv",
        JANIS,
        "SMTP",
        "SMTP serveris neļauj nosūtīt vēstules no grāmatvedības programmas.",
        OUT,
        "hosting.email",
        kind="technical",
    ),
    Row(
        "lv",
        JANIS,
        "Plesk",
        "Kolēģim vajag piekļuvi Plesk, lūdzu izveidojiet viņam lietotāju.",
        OUT,
        "hosting.access",
        kind="technical",
    ),
    Row(
        "lv",
        JANIS,
        "CNAME www",
        "DNS ieraksts CNAME nestrādā priekš www adreses.",
        OUT,
        "hosting.dns",
        kind="mixed_language",
    ),
    Row(
        "lv",
        JANIS,
        "down",
        "Mūsu website ir down jau pusstundu!",
        IN,
        "hosting.availability",
        kind="mixed_language",
    ),
    Row(
        "lv",
        JANIS,
        "plugin update",
        "Vajag plugin update mūsu WordPress lapai, lūdzu.",
        IN,
        "web.cms_plugins",
        kind="mixed_language",
    ),
    Row(
        "lv",
        JANIS,
        "certificate",
        "SSL certificate beidzies, Chrome rāda warning visiem klientiem.",
        OUT,
        "hosting.ssl",
        kind="mixed_language",
    ),
    Row(
        "lv",
        JANIS,
        "backup",
        "Lūdzu restore no vakardienas backup, pazuda bildes.",
        OUT,
        "hosting.backup_restore",
        kind="mixed_language",
    ),
    Row(
        "lv",
        JANIS,
        "mailbox pilns",
        "Mūsu mailbox ir pilns un vēstules atlec atpakaļ sūtītājam.",
        OUT,
        "hosting.email",
        kind="mixed_language",
    ),
    Row(
        "lv",
        JANIS,
        "Grāmatvedei",
        "Lūdzu, izveidojiet e-pasta adresi jaunajai grāmatvedei Annai.",
        OUT,
        "hosting.email",
        picked="web.cms_plugins",
        kind="picked",
    ),
    Row(
        "lv",
        JANIS,
        "Google",
        "Gribam, lai Google meklēšanā mūs atrod pirmajā lapā.",
        OUT,
        "marketing.seo",
        picked="hosting.availability",
        kind="picked",
    ),
    Row(
        "lv",
        JANIS,
        "rēķins oktobrim",
        "Lūdzu atsūtiet rēķinu par oktobri uz grāmatvedības adresi.",
        OUT,
        "billing.invoice",
        picked="hosting.availability",
        kind="picked",
    ),
    Row(
        "lv",
        JANIS,
        "Vietne",
        "Tas nav saistīts ar e-pastu — pati vietne vairs neatveras.",
        IN,
        "hosting.availability",
        kind="negation",
    ),
    Row(
        "lv",
        JANIS,
        "Spraudnis",
        "Šoreiz ne par rēķinu: pēc atjaunināšanas kontaktformas spraudnis vairs nerāda pogu.",
        IN,
        "web.cms_plugins",
        kind="negation",
    ),
    Row(
        "lv",
        JANIS,
        "Spraudņi",
        "Lūdzu atjauniniet visus spraudņus un tēmu, WordPress rāda sarkanus brīdinājumus.",
        IN,
        "web.cms_plugins",
    ),
    Row(
        "lv",
        JANIS,
        "Konsultācija par tekstiem",
        "Mums vajadzētu konsultāciju, kā pašiem mainīt tekstus mājaslapā.",
        OUT,
        "consulting.training",
    ),
    Row(
        "lv",
        JANIS,
        "Kontaktforma",
        "Vai varat salabot mūsu kontaktformas JavaScript kļūdu? Poga neko nedara.",
        OUT,
        "web.script_debugging",
    ),
    Row(
        "lv",
        JANIS,
        "lena lapa",
        "lapa lade loti leni visu rītu",
        OUT,
        "hosting.performance",
    ),
    Row(
        "lv",
        JANIS,
        "Printeris neredz",
        "Dators vairs neredz biroja printeri.",
        OUT,
        "thirdparty.software",
    ),
    Row(
        "lv",
        JANIS,
        "Tikšanās",
        "Labdien, vai varam sarunāt tikšanos nākamnedēļ?",
        REVIEW,
    ),
    Row(
        "lv",
        JANIS,
        "??",
        "kkas nav kartiba, paskatieties ludzu",
        REVIEW,
    ),
]

FI_LV_ROWS: list[Row] = FI_ROWS + LV_ROWS
