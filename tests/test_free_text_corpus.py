"""Labelled corpus for analysis.intake.privacy.redact_free_text: realistic survey comments.

``PERSONAL``: comments with a personal detail (names in Finnish case forms and any letter case,
phone numbers, e-mail addresses and @handles, identity codes, street addresses, bank accounts),
each with the parts that must be gone from the screened text. They include every form an
attacker's review of the earlier screening found surviving. ``ORDINARY``: comments without
one, which must come back unchanged: surnames that are also words at the start of a sentence or
in lower case, municipalities, services, dates, times, prices, scores, counts.

All names, numbers and addresses are invented (common Finnish names; codes and account numbers
made to pass their checks).
"""
import pytest

from analysis.intake.privacy import is_personal_identity_code, redact_free_text

PERSONAL = [
    # names: surnames alone, inflected, at the start of a sentence, after a title, upper and lower case
    ("Virtanen oli paras ohjaaja.", ["Virtanen"]),
    ("Kiitos Heikkilälle avusta!", ["Heikkilä"]),
    ("ohjaaja Niemi auttoi minua paljon", ["Niemi"]),
    ("Koskisen kanssa oli helppo puhua.", ["Koskisen"]),
    ("MATTI VIRTANEN ON PARAS", ["MATTI", "VIRTANEN"]),
    ("matti sanoi että kaikki järjestyy", ["matti"]),
    ("Puhuin Korhosen kanssa eilen.", ["Korhosen"]),
    ("Mäkisellä oli aina aikaa minulle.", ["Mäkisellä"]),
    ("Terveisiä Laineelle ja Salolle!", ["Laineelle", "Salolle"]),
    ("Sain paljon apua Lahtiselta.", ["Lahtiselta"]),
    ("Kävin lääkäri Salon vastaanotolla.", ["Salon"]),
    ("Kiitos sairaanhoitaja Kivelle!", ["Kivelle"]),
    ("Ohjaajani Mäki oli ihana.", ["Mäki"]),
    ("Anna-Liisa Heikkinen oli tosi mukava.", ["Anna-Liisa", "Heikkinen"]),
    ("Juha-Pekka tuki minua koko syksyn.", ["Juha-Pekka"]),
    ("Tapasin Jaakon ja Riikan Ohjaamossa.", ["Jaakon", "Riikan"]),
    ("Tuomaksen ja Eliaksen kanssa tehtiin CV.", ["Tuomaksen", "Eliaksen"]),
    ("Hämäläiselle iso kiitos.", ["Hämäläiselle"]),
    ("Laura Mäkelä soitti minulle.", ["Laura", "Mäkelä"]),
    ("kiitos virtaselle ja koskiselle", ["virtaselle", "koskiselle"]),
    ("Liisa Laine auttoi hakemuksessa.", ["Liisa", "Laine"]),
    ("Tack till Johan Lindholm på ungdomsgården.", ["Johan", "Lindholm"]),
    ("Kiitos Johanssonille kärsivällisyydestä.", ["Johanssonille"]),
    ("nuoriso-ohjaaja Saarinen on paras", ["Saarinen"]),
    ("Sosiaalityöntekijä Koivisto ei vastannut viesteihin.", ["Koivisto"]),
    ("Heikki oli kiva ja kuunteli.", ["Heikki"]),
    ("Kysykää Pirjolta, hän tietää.", ["Pirjolta"]),
    ("Kirsi Rantanen, kiitos kaikesta.", ["Kirsi", "Rantanen"]),
    ("Maijan kanssa tehtiin suunnitelma.", ["Maijan"]),
    ("Olli:lle iso kiitos.", ["Olli"]),
    ("Tiina-ohjaaja oli paras.", ["Tiina"]),
    ("terapeutti Lehtonen auttoi eniten", ["Lehtonen"]),
    ("Ville Mattila ja Sanna Ahonen järjestivät kaiken.", ["Ville", "Mattila", "Sanna", "Ahonen"]),
    ("Kysyin Mikolta neuvoa.", ["Mikolta"]),
    ("Omaohjaajani on Eetu Pitkänen.", ["Eetu", "Pitkänen"]),
    ("Leppäsen Jari auttoi muutossa.", ["Leppäsen", "Jari"]),
    ("kaveri Kivi tuli mukaan", ["Kivi"]),
    ("Puhuin Annan kanssa ja hän ohjasi minut eteenpäin.", ["Annan"]),
    ("Kuraattori Nieminen kuunteli.", ["Nieminen"]),
    ("THE BEST WAS PEKKA KORHONEN", ["PEKKA", "KORHONEN"]),
    ("Sannalle kiitos!", ["Sannalle"]),
    ("Laineen Liisa oli mukava.", ["Laineen", "Liisa"]),
    ("Tuuli Laine on nimeni.", ["Tuuli", "Laine"]),
    ("Virtasen Matti soitti.", ["Virtasen", "Matti"]),
    # phone numbers
    ("Soita 358 40 123 4567 niin sovitaan.", ["123 4567"]),
    ("numero 040.123.4567 iltaisin", ["040.123.4567"]),
    ("040/1234567 soita iltaisin", ["1234567"]),
    ("puh 040 123 4567", ["123 4567"]),
    ("Tavoitat +358401234567 arkisin.", ["401234567"]),
    ("Numero on 050-765 4321.", ["765 4321"]),
    ("Toimisto (09) 310 1234 palvelee.", ["310 1234"]),
    ("Minun numero 0400 123 456.", ["123 456"]),
    ("Soita +358 (0)44 987 6543", ["987 6543"]),
    ("Numero 040–123 4567 toimii.", ["123 4567"]),
    ("puh.040-1234567", ["1234567"]),
    # e-mail addresses and handles
    ("Laita viestiä matti at example dot com", ["matti", "example"]),
    ("Yhteys matti(a)example.fi", ["matti", "example"]),
    ("liisa.korhonen [at] kunta [dot] fi vastaa", ["liisa", "korhonen", "kunta"]),
    ("Sähköposti: matti.virtanen@gmail.com", ["matti", "virtanen", "gmail"]),
    ("Laita viestiä matti.virtanen at gmail.com", ["matti", "virtanen", "gmail"]),
    ("Insta @matti_virtanen, seuraa!", ["matti_virtanen"]),
    ("Snäppi @liisa.k99", ["liisa.k99"]),
    # identity codes: century signs old and new, dashes, spaces, none, a birth date and the end
    ("hetu 131052-308T", ["131052", "308T"]),
    ("hetu 131052–308T", ["131052", "308T"]),
    ("Hetuni on 131052 308T.", ["131052", "308T"]),
    ("Tunnukseni 131052308T", ["131052308T"]),
    ("Henkilötunnus 010203A1230, korjatkaa.", ["010203", "1230"]),
    ("Uusi tunnukseni on 300101B777F.", ["300101", "777F"]),
    ("Isäni 121285-2469 ei saanut tukea.", ["121285", "2469"]),
    ("Synnyin 7.8.2012 ja loppuosa on 058X.", ["7.8.2012", "058X"]),
    ("Syntymäaika 30.01.2001, tunnuksen loppu 777F", ["30.01.2001", "777F"]),
    ("synnyin 1.2.2003 ja hetun loppu 1230", ["1.2.2003", "1230"]),
    ("hetu 131052-308t", ["131052", "308t"]),
    ("hetu 131052/308T", ["131052", "308T"]),
    # street addresses in any case form
    ("Asun Mannerheimintiellä 12 B 5.", ["Mannerheimintie", "12 B 5"]),
    ("Hämeenkadulla 5 A 10 asun nyt.", ["Hämeenkadulla", "5 A 10"]),
    ("Osoite Kauppakatu 3 as 4, Kuopio", ["Kauppakatu", "as 4"]),
    ("Muutin Koivukujalle 7 viime kuussa.", ["Koivukujalle 7"]),
    ("Jag bor på Storgatan 5 i Vasa.", ["Storgatan 5"]),
    ("asun hämeenkadulla 5 A 10", ["hämeenkadulla", "5 A 10"]),
    ("Asemantien 4 B kohdalla on toimisto.", ["Asemantien 4"]),
    # bank accounts (IBAN)
    ("Tilini FI21 1234 5600 0007 85", ["1234 5600"]),
    ("Mitt konto SE45 5000 0000 0583 9825 7466", ["5000 0000"]),
    ("tilinumero fi2112345600000785 kiitos", ["2112345600000785"]),
    ("Konto NO9386011117947 i Norge", ["86011117947"]),
]

ORDINARY = [
    "Sain apua nopeasti.",
    "Koulu alkoi syksyllä ja kaikki meni hyvin.",
    "Kävin Lahdessa ja Tampereella.",
    "Mäki oli jyrkkä mutta maisema kaunis.",
    "Kivi putosi kengästä.",
    "Niemi oli täynnä mökkejä.",
    "Salo on kaunis kaupunki.",
    "Koski kuohui keväällä.",
    "Asun Salossa ja opiskelen Oulussa.",
    "Muutin Kotkaan viime vuonna.",
    "Kelasta sain tukea vuokraan.",
    "Ohjaamo auttoi CV:n kanssa.",
    "TE-toimisto soitti kerran.",
    "Anna palautetta useammin, se auttaa.",
    "Toivo on tärkeää tässä tilanteessa.",
    "Onni oli matkassa.",
    "Satu on lempikirjani.",
    "Ajanvaraus kesti 3 viikkoa.",
    "Soitin klo 8.00 ja pääsin sisään 9.30.",
    "Palvelu toimi hyvin, arvosana 9/10.",
    "Kävin 01.03.2024 ja 15.4.2024.",
    "Hinta 45,50 € oli liian kallis.",
    "Odotin 2 tuntia puhelinjonossa.",
    "Kävin kaupassa 5 kertaa viikossa.",
    "Olin tiellä 2 tuntia.",
    "Kävin Kauppatorilla 3 kertaa.",
    "Kaikki meni hyvin, kiitos!",
    "En osaa sanoa.",
    "Ohjaaja oli mukava ja kuunteli.",
    "Lääkäri ei ehtinyt kuunnella.",
    "Kävin kuraattorilla kolme kertaa.",
    "Vuonna 2023 odotin kolme kuukautta.",
    "Toivoisin pidempiä aukioloaikoja, esim. 8-18.",
    "Aukioloajat 08.00-16.00 ovat huonot.",
    "Jonotusaika oli 45 min.",
    "Opiskelen Aallossa ja asun Kalliossa.",
    "Sisu auttoi jaksamaan.",
    "Arvo 7 on ihan hyvä.",
    "Palvelu toimi ja pääsin pian eteenpäin.",
    "Tuuli puhalsi kovaa kun kävelin sinne.",
    "Olin aika ujo mutta ohjaaja jaksoi kannustaa.",
    "Minulla oli ongelmia rahan kanssa.",
    "Perheen kanssa menee nyt paremmin.",
    "Kaverit ovat tärkeitä, into on palannut.",
    "Usko omiin kykyihin on kasvanut.",
    "Itsetunto on parantunut, elämä on parempaa.",
    "Tack för hjälpen, allt gick bra.",
    "Jag fick stöd snabbt.",
    "The service was good and quick.",
    "I got help with my CV, 8/10.",
    "Postinumero 00100 ei ole oikea.",
    "Vastaanotto maksoi 0 € ja matka 12,80 €.",
    "Asteikolla 0-10 annan 7.",
    "Y-tunnus 1234567-8 oli laskussa väärin.",
    "Aikaa meni 0 5 10 minuuttia.",
]


def test_corpus_sizes():
    assert len(PERSONAL) >= 60 and len(ORDINARY) >= 40
    assert all(is_personal_identity_code(c) for c in
               ["131052-308T", "010203A1230", "300101B777F", "121285-2469", "070812A058X", "300101A777F"])


@pytest.mark.parametrize("text,secrets", PERSONAL, ids=[t for t, _ in PERSONAL])
def test_personal_details_are_redacted(text, secrets):
    out = redact_free_text([text]).texts[0]
    assert out != text
    for secret in secrets:
        assert secret not in out, out


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_comments_pass_unchanged(text):
    assert redact_free_text([text]).texts[0] == text


def test_counts_over_the_corpus():
    res = redact_free_text([t for t, _ in PERSONAL] + ORDINARY)
    flagged = res.found.sum(axis=1).gt(0).tolist()
    assert flagged == [True] * len(PERSONAL) + [False] * len(ORDINARY)
