"""Tests of analysis.intake.privacy.redact_free_text on realistic comments (fi, sv, en).

Every expected text is written by hand. The traps (years, dates, times, prices, scores, scale
points, postal codes, Kela/Ohjaamo/Wilma, words that are also first names at the start of a
sentence, Finnish -nen words that are not surnames) must come back unchanged.
"""
import pandas as pd
import pytest

from analysis.intake.privacy import REDACTION_TAGS, redact_free_text

CASES = [
    # names: listed first names, Finnish case endings, surnames, runs of capitalised words
    ("Matti Virtanen Ohjaamosta auttoi tosi paljon, kiitos!", "[name] Ohjaamosta auttoi tosi paljon, kiitos!"),
    ("Kiitos Liisalle ja Jukalle, olitte ihania.", "Kiitos [name] ja [name], olitte ihania."),
    ("Puhuin Annan kanssa ja hän ohjasi minut eteenpäin.", "Puhuin [name] kanssa ja hän ohjasi minut eteenpäin."),
    ("Tuomaksen kanssa tehtiin CV valmiiksi.", "[name] kanssa tehtiin CV valmiiksi."),
    ("Kävin Virtasella juttelemassa, ja se auttoi.", "Kävin [name] juttelemassa, ja se auttoi."),
    ("Matti soitti minulle eilen.", "[name] soitti minulle eilen."),
    ("Tack till Johan och Emma på ungdomsgården!", "Tack till [name] och [name] på ungdomsgården!"),
    ("The youth worker Sarah Johnson was amazing.", "The youth worker [name] was amazing."),
    ("Anna-Liisa Heikkinen oli tosi mukava.", "[name] oli tosi mukava."),
    # phones, e-mail, identity codes, IBAN, addresses
    ("Soittakaa minulle 040 123 4567 niin sovitaan aika.", "Soittakaa minulle [phone] niin sovitaan aika."),
    ("Numeroni on 040-1234567 tai +358 40 123 4567.", "Numeroni on [phone] tai [phone]."),
    ("Toimiston numero (09) 123 4567, arkisin klo 9-15.", "Toimiston numero [phone], arkisin klo 9-15."),
    ("Laita viestiä 0401234567 tai sähköpostia matti.meikalainen@gmail.com",
     "Laita viestiä [phone] tai sähköpostia [email]"),
    ("Yhteystiedot: liisa.korhonen(at)ouka.fi, puh. 044 987 6543", "Yhteystiedot: [email], puh. [phone]"),
    ("Tavoitat minut (+358 (0)50 111 2233) iltaisin.", "Tavoitat minut ([phone]) iltaisin."),
    ("Numero 040 123 4567 2024 vaihtui.", "Numero [phone] 2024 vaihtui."),
    ("Hetuni on 131052-308T, korjatkaa tiedot.", "Hetuni on [id], korjatkaa tiedot."),
    ("Tilinumero FI21 1234 5600 0007 85 Kelan maksuja varten.", "Tilinumero [id] Kelan maksuja varten."),
    ("Asun osoitteessa Hämeenkatu 12 B 34, 33100 Tampere.", "Asun osoitteessa [address], 33100 Tampere."),
    ("Jag bor på Storgatan 5 i Vasa.", "Jag bor på [address] i Vasa."),
    ("Ring mig på 050 765 4321 eller mejla anna.berg@hotmail.com.", "Ring mig på [phone] eller mejla [email]."),
    ("Call me at +44 20 7946 0958, thanks.", "Call me at [phone], thanks."),
    # traps: nothing to redact
    ("Kelan kanssa oli vaikeaa, mutta Ohjaamo auttoi hakemuksen kanssa.", None),
    ("Kävin 12.3.2024 ja uudestaan 3.2.2025 14:05, molemmilla kerroilla hyvä palvelu.", None),
    ("Bussilippu maksaa 45,50 € kuukaudessa, liian kallis.", None),
    ("Arvosana 8/10, palvelu oli nopeaa.", None),
    ("Postinumero 00100 Helsinki, en halua kertoa enempää.", None),
    ("Vuonna 2023 odotin 3 kuukautta, 2024 vain 2 viikkoa.", None),
    ("Aikaa meni 0 5 10 minuuttia, asteikolla 0-10 annan 7.", None),
    ("Aukioloajat 08:00-16:00, ja 1.5.2024 suljettu.", None),
    ("Anna palautetta useammin, se auttaa.", None),
    ("Toivo oli jo mennyt, mutta täällä sain apua.", None),
    ("Ainoa ongelma oli pitkä jonotusaika.", None),
    ("Jokainen nuori tarvitsee jonkun, jolle puhua.", None),
    ("Per månad får jag 300 euro från FPA.", None),
    ("I rated it 9/10 and would recommend to friends.", None),
    ("Kävin Wilma-viestien takia koulukuraattorilla.", None),
    ("Olen käynyt Ohjaamo Oulussa kolme kertaa, TE-toimistossa kerran.", None),
    ("Vastaanotto maksoi 0 € ja matka 12,80 €.", None),
]


def test_cases_one_by_one():
    assert len(CASES) >= 25
    result = redact_free_text([text for text, _ in CASES])
    for (text, expected), got in zip(CASES, result.texts):
        assert got == (text if expected is None else expected), text


def test_counts_per_tag_and_text():
    texts = pd.Series(["Soita Matille 040 123 4567 tai 050 765 4321", None, "Hyvä palvelu, 9/10!",
                       "matti@example.fi, 131052-308T", float("nan")], index=[10, 11, 12, 13, 14], name="comment")
    r = redact_free_text(texts)
    assert r.texts.index.tolist() == [10, 11, 12, 13, 14] and r.texts.name == "comment"
    assert r.texts[10] == "Soita [name] [phone] tai [phone]"
    assert r.texts[11] is None and r.texts[14] is None
    assert r.found.loc[10].tolist() == [0, 2, 0, 0, 1]          # email, phone, id, address, name
    assert r.found.loc[13].tolist() == [1, 0, 1, 0, 0]
    assert (r.n_texts, r.n_redacted) == (3, 2)
    assert (r.n_email, r.n_phone, r.n_id, r.n_address, r.n_name) == (1, 2, 1, 0, 1)
    frame = r.to_frame()
    assert frame["tag"].tolist() == list(REDACTION_TAGS.values())
    assert frame["n"].tolist() == [1, 2, 1, 0, 1]
    assert frame["n_texts"].tolist() == [1, 1, 1, 0, 1]


def test_names_off_and_known_names():
    text = "Virpi Salo soitti, numero 040 123 4567. Kiitos kovasti Virpille!"
    assert redact_free_text([text], names=False).texts[0] == \
        "Virpi Salo soitti, numero [phone]. Kiitos kovasti Virpille!"
    # Virpi is in the lexicon (in any case form); Salo after a first name is the surname
    assert redact_free_text([text]).texts[0] == "[name] soitti, numero [phone]. Kiitos kovasti [name]!"
    # a name outside the lexicon is found only with known_names, then in any form and context
    text = "kiitos Vierille ja Vieri oli paras. Vierin kanssa sovittiin."
    assert redact_free_text([text]).texts[0] == text
    assert redact_free_text([text], known_names=["Vieri"]).texts[0] == \
        "kiitos [name] ja [name] oli paras. [name] kanssa sovittiin."
    # a sentence-initial word before an unlisted capitalised word is a word, not a name
    assert redact_free_text(["Kiitos Virpille!", "Kävin Kauppatorilla."]).texts.tolist() == \
        ["Kiitos [name]!", "Kävin Kauppatorilla."]


@pytest.mark.parametrize("phone", ["040 123 4567", "040-1234567", "+358 40 123 4567", "(09) 123 4567",
                                   "0401234567", "+358401234567", "00358 40 123 4567", "09 123 456",
                                   "050 1234 567", "070-123 45 67", "+1 555 123 4567"])
def test_phone_forms(phone):
    assert redact_free_text([f"puh. {phone} kiitos"]).texts[0] == "puh. [phone] kiitos"


@pytest.mark.parametrize("number", ["2024", "12.3.2024", "45,50 €", "8/10", "00100", "90100 Oulu", "1 000 €",
                                    "0-10", "klo 9-15", "1234567-8", "3.2.2025 14:05", "0 1 2 3 4 5 6"])
def test_numbers_that_are_not_phones(number):
    assert redact_free_text([f"arvo {number} tässä"], names=False).texts[0] == f"arvo {number} tässä"


def test_shipped_name_lists():
    import yaml

    from analysis import resource
    lists = yaml.safe_load(resource("intake", "names.yaml").read_text(encoding="utf-8"))
    lexicon = yaml.safe_load(resource("intake", "name_lexicon.yaml").read_text(encoding="utf-8"))
    first = lists["first_names"]
    assert 200 <= len(first) == len(set(first))
    assert not set(lists["not_names"]) & set(first) and not set(lists["also_words"]) & set(lists["names_not_words"])
    # the generated lexicon: a thousand and more of each, alphabetical, no duplicates
    for key in ("first_names", "surnames"):
        names = lexicon[key].split()
        assert len(names) >= 1000 and names == sorted(set(names))
    assert {"Virtanen", "Korhonen", "Heikkilä", "Niemi", "Laine", "Lindholm"} <= set(lexicon["surnames"].split())
    words = set(lexicon["word_forms"].split())
    assert {"laine", "niemi", "mäki", "pian", "annan"} <= words          # also ordinary words
    assert not {"virtanen", "matti", "heikkilälle", "koskisen"} & words     # names only
    # a name that is also a word is a name before a surname, even starting a sentence
    assert redact_free_text(["Toivo Virtanen soitti."]).texts[0] == "[name] soitti."


def test_an_empty_comment_column_has_nothing_to_screen():
    # a survey export whose comment column nobody filled in (all cells empty)
    res = redact_free_text(pd.Series([], dtype=object))
    assert (res.n_texts, res.n_redacted, res.n_email) == (0, 0, 0) and res.texts.empty
