from decimal import Decimal

import pytest

from sradar_desktop.domain.numbers import (
    format_decimal,
    format_indicator_value,
    format_percentage,
    parse_decimal,
    parse_indicator_value,
)
from sradar_desktop.domain.plan import IndicatorKind
from sradar_desktop.domain.scale import DEFAULT_SCALE
from sradar_desktop.domain.text import clean_cell, fold, html_to_text, slugify


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("oui", "oui"),
        ("OUI", "oui"),
        (" Oui ", "oui"),
        ("Partiel", "partiellement"),
        ("PARTIELLEMENT", "partiellement"),
        ("non", "non"),
        ("NC", "nc"),
        ("n.c.", "nc"),
        ("Non concerné", "nc"),
        ("", None),
        (None, None),
    ],
)
def test_scale_accepts_what_people_type(typed, code):
    assert DEFAULT_SCALE.parse(typed) == code


def test_scale_refuses_other_answers_in_french():
    with pytest.raises(ValueError) as error:
        DEFAULT_SCALE.parse("peut-être")
    assert str(error.value) == (
        "« peut-être » n'est pas une réponse possible (oui, partiellement, non, nc)"
    )


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1 234,5", Decimal("1234.5")),
        ("1\u202f234,5", Decimal("1234.5")),
        ("1\u00a0234", Decimal("1234")),
        ("1.234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        ("12 %", Decimal("12")),
        ("-3,25", Decimal("-3.25")),
        (1316, Decimal("1316")),
        (0.1, Decimal("0.1")),
        ("", None),
    ],
)
def test_numbers_typed_the_french_way(typed, number):
    assert parse_decimal(typed) == number


@pytest.mark.parametrize("typed", ["douze", "1,2,3x", "12 €", "--1", "1e5"])
def test_numbers_refused(typed):
    with pytest.raises(ValueError, match="n'est pas un nombre"):
        parse_decimal(typed)


def test_indicator_values_by_kind():
    assert parse_indicator_value("1 174", IndicatorKind.INTEGER) == "1174"
    assert parse_indicator_value("12,50", IndicatorKind.DECIMAL) == "12.5"
    assert parse_indicator_value("93,88 %", IndicatorKind.PERCENTAGE) == "93.88"
    assert parse_indicator_value("  texte libre ", IndicatorKind.TEXT) == "texte libre"
    with pytest.raises(ValueError, match="n'est pas un nombre entier"):
        parse_indicator_value("12,5", IndicatorKind.INTEGER)


def test_french_display():
    assert format_decimal(Decimal("1234.5")) == "1\u202f234,5"
    assert format_decimal(Decimal("-1234567")) == "-1\u202f234\u202f567"
    assert (
        format_indicator_value("93.88", IndicatorKind.PERCENTAGE)
        == "93,88\u00a0%"
        == format_percentage(Decimal("0.9388"))
    )
    assert format_percentage(Decimal(2882) / Decimal(3070)) == "93,88\u00a0%"


def test_text_cleaning():
    fragment = (
        'en : <ul style="list-style-type: none"> ◦ informant les acteurs ◦ expérimentant la '
        "formation "
    )
    assert html_to_text(fragment) == "en :\n◦ informant les acteurs\n◦ expérimentant la formation"
    assert clean_cell("  a\r\n  b  ") == "a\nb"
    assert fold("  Réalisation ") == "realisation"
    assert slugify("Première évaluation des actions") == "premiere-evaluation-des-actions"


@pytest.mark.parametrize(
    ("pilots", "respondent", "expected"),
    [
        (("DDETS", "OFII"), "DDETS-44", True),
        (("DDETS-44",), "DDETS-44", True),
        (("DDETS-49",), "DDETS-44", False),
        (("France Travail",), "FRANCE-TRAVAIL-44", True),
        (("Préfecture",), "PREFECTURE-85", True),
        (("DREETS",), "DDETS-44", False),
        (("ARS",), "ARS", True),
        (("DDETS",), "DDETSPP-53", True),
        (("Préfecture",), "PREF-44", True),
    ],
)
def test_pilots_include(pilots, respondent, expected):
    from sradar_desktop.domain.plan import pilots_include

    assert pilots_include(pilots, respondent) is expected


def test_roster_in_natural_order():
    from sradar_desktop.domain.consolidation import natural_key

    assert sorted(["DDETS-100", "DDETS-44", "DDETS-5", "ARS"], key=natural_key) == [
        "ARS",
        "DDETS-5",
        "DDETS-44",
        "DDETS-100",
    ]


def test_dates_and_plurals_one_way_everywhere(monkeypatch):
    import time
    from datetime import UTC, datetime

    from sradar_desktop.domain.dates import long_date, moment_text, short_date, time_text
    from sradar_desktop.domain.text import count, plural

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        aware = datetime(2026, 11, 23, 17, 43, tzinfo=UTC)
        # A moment stored without a zone is UTC, wherever it is shown.
        assert moment_text(aware) == moment_text(aware.replace(tzinfo=None))
        assert moment_text(aware) == "23/11/2026 à 18:43"
        assert time_text(aware) == "18:43" and short_date(aware) == "23/11/2026"
        assert long_date(datetime(2026, 11, 1, 12, tzinfo=UTC)) == "1er novembre 2026"
        assert moment_text(None) == ""
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert [count(n, "réponse") for n in (0, 1, 2)] == ["0 réponse", "1 réponse", "2 réponses"]
    assert f"dont 1 {plural(1, 'renseignée')}" == "dont 1 renseignée"
    assert plural(26, "action") == "actions" and count(3, "travail", "travaux") == "3 travaux"


def test_a_moment_the_system_cannot_place_is_shown_at_utc():
    """Windows has no local time before 1970 (``astimezone`` raises): such a moment, the
    altered stamp of a received file, is shown at UTC instead of stopping what shows it."""
    from datetime import UTC, datetime

    from sradar_desktop.domain.dates import local, moment_text

    class Unplaced(datetime):
        def astimezone(self, tz=None):
            if tz is None:
                raise OSError(22, "Invalid argument")
            return super().astimezone(tz)

    moment = Unplaced(1900, 1, 1, 6, 30, tzinfo=UTC)
    assert local(moment) == moment and local(moment).utcoffset().total_seconds() == 0
    assert moment_text(moment) == "01/01/1900 à 06:30"


def test_one_way_to_shorten_a_text_everywhere():
    from sradar_desktop.domain.text import shorten

    assert shorten("Accueillir\n  les   publics", 40) == "Accueillir les publics"
    cut = shorten("Accompagner les bénéficiaires de la protection internationale", 30)
    assert cut == "Accompagner les bénéficiaires…" and len(cut) <= 30
    # A single word longer than the limit is cut inside it, still within the limit.
    assert shorten("Anticonstitutionnellement", 10) == "Anticonst…"
    assert shorten("Oui, mais : avec réserve", 12) == "Oui, mais…"
