"""French départements: number, name, and the form that follows « de » in a service's name.

The forms follow INSEE's official geographic code (type of name: « de la Somme », « du Nord »,
« de l'Aisne », « des Landes », « d'Eure-et-Loir », « de Paris »).
"""

from __future__ import annotations

import re

# number: (name, "de ..." form)
DEPARTEMENTS: dict[str, tuple[str, str]] = {
    "01": ("Ain", "de l'Ain"),
    "02": ("Aisne", "de l'Aisne"),
    "03": ("Allier", "de l'Allier"),
    "04": ("Alpes-de-Haute-Provence", "des Alpes-de-Haute-Provence"),
    "05": ("Hautes-Alpes", "des Hautes-Alpes"),
    "06": ("Alpes-Maritimes", "des Alpes-Maritimes"),
    "07": ("Ardèche", "de l'Ardèche"),
    "08": ("Ardennes", "des Ardennes"),
    "09": ("Ariège", "de l'Ariège"),
    "10": ("Aube", "de l'Aube"),
    "11": ("Aude", "de l'Aude"),
    "12": ("Aveyron", "de l'Aveyron"),
    "13": ("Bouches-du-Rhône", "des Bouches-du-Rhône"),
    "14": ("Calvados", "du Calvados"),
    "15": ("Cantal", "du Cantal"),
    "16": ("Charente", "de la Charente"),
    "17": ("Charente-Maritime", "de la Charente-Maritime"),
    "18": ("Cher", "du Cher"),
    "19": ("Corrèze", "de la Corrèze"),
    "2A": ("Corse-du-Sud", "de la Corse-du-Sud"),
    "2B": ("Haute-Corse", "de la Haute-Corse"),
    "21": ("Côte-d'Or", "de la Côte-d'Or"),
    "22": ("Côtes-d'Armor", "des Côtes-d'Armor"),
    "23": ("Creuse", "de la Creuse"),
    "24": ("Dordogne", "de la Dordogne"),
    "25": ("Doubs", "du Doubs"),
    "26": ("Drôme", "de la Drôme"),
    "27": ("Eure", "de l'Eure"),
    "28": ("Eure-et-Loir", "d'Eure-et-Loir"),
    "29": ("Finistère", "du Finistère"),
    "30": ("Gard", "du Gard"),
    "31": ("Haute-Garonne", "de la Haute-Garonne"),
    "32": ("Gers", "du Gers"),
    "33": ("Gironde", "de la Gironde"),
    "34": ("Hérault", "de l'Hérault"),
    "35": ("Ille-et-Vilaine", "d'Ille-et-Vilaine"),
    "36": ("Indre", "de l'Indre"),
    "37": ("Indre-et-Loire", "d'Indre-et-Loire"),
    "38": ("Isère", "de l'Isère"),
    "39": ("Jura", "du Jura"),
    "40": ("Landes", "des Landes"),
    "41": ("Loir-et-Cher", "de Loir-et-Cher"),
    "42": ("Loire", "de la Loire"),
    "43": ("Haute-Loire", "de la Haute-Loire"),
    "44": ("Loire-Atlantique", "de la Loire-Atlantique"),
    "45": ("Loiret", "du Loiret"),
    "46": ("Lot", "du Lot"),
    "47": ("Lot-et-Garonne", "de Lot-et-Garonne"),
    "48": ("Lozère", "de la Lozère"),
    "49": ("Maine-et-Loire", "de Maine-et-Loire"),
    "50": ("Manche", "de la Manche"),
    "51": ("Marne", "de la Marne"),
    "52": ("Haute-Marne", "de la Haute-Marne"),
    "53": ("Mayenne", "de la Mayenne"),
    "54": ("Meurthe-et-Moselle", "de Meurthe-et-Moselle"),
    "55": ("Meuse", "de la Meuse"),
    "56": ("Morbihan", "du Morbihan"),
    "57": ("Moselle", "de la Moselle"),
    "58": ("Nièvre", "de la Nièvre"),
    "59": ("Nord", "du Nord"),
    "60": ("Oise", "de l'Oise"),
    "61": ("Orne", "de l'Orne"),
    "62": ("Pas-de-Calais", "du Pas-de-Calais"),
    "63": ("Puy-de-Dôme", "du Puy-de-Dôme"),
    "64": ("Pyrénées-Atlantiques", "des Pyrénées-Atlantiques"),
    "65": ("Hautes-Pyrénées", "des Hautes-Pyrénées"),
    "66": ("Pyrénées-Orientales", "des Pyrénées-Orientales"),
    "67": ("Bas-Rhin", "du Bas-Rhin"),
    "68": ("Haut-Rhin", "du Haut-Rhin"),
    "69": ("Rhône", "du Rhône"),
    "70": ("Haute-Saône", "de la Haute-Saône"),
    "71": ("Saône-et-Loire", "de Saône-et-Loire"),
    "72": ("Sarthe", "de la Sarthe"),
    "73": ("Savoie", "de la Savoie"),
    "74": ("Haute-Savoie", "de la Haute-Savoie"),
    "75": ("Paris", "de Paris"),
    "76": ("Seine-Maritime", "de la Seine-Maritime"),
    "77": ("Seine-et-Marne", "de Seine-et-Marne"),
    "78": ("Yvelines", "des Yvelines"),
    "79": ("Deux-Sèvres", "des Deux-Sèvres"),
    "80": ("Somme", "de la Somme"),
    "81": ("Tarn", "du Tarn"),
    "82": ("Tarn-et-Garonne", "de Tarn-et-Garonne"),
    "83": ("Var", "du Var"),
    "84": ("Vaucluse", "de Vaucluse"),
    "85": ("Vendée", "de la Vendée"),
    "86": ("Vienne", "de la Vienne"),
    "87": ("Haute-Vienne", "de la Haute-Vienne"),
    "88": ("Vosges", "des Vosges"),
    "89": ("Yonne", "de l'Yonne"),
    "90": ("Territoire de Belfort", "du Territoire de Belfort"),
    "91": ("Essonne", "de l'Essonne"),
    "92": ("Hauts-de-Seine", "des Hauts-de-Seine"),
    "93": ("Seine-Saint-Denis", "de la Seine-Saint-Denis"),
    "94": ("Val-de-Marne", "du Val-de-Marne"),
    "95": ("Val-d'Oise", "du Val-d'Oise"),
    "971": ("Guadeloupe", "de la Guadeloupe"),
    "972": ("Martinique", "de la Martinique"),
    "973": ("Guyane", "de la Guyane"),
    "974": ("La Réunion", "de La Réunion"),
    "976": ("Mayotte", "de Mayotte"),
}

_NUMBER = re.compile(r"^(?:\d{1,3}|2[AB])$", re.IGNORECASE)


def department_from_code(code: str) -> str:
    """The département a service code names: ``DDETS-44`` → ``44``, ``DDETS-2a`` → ``2A``,
    ``DDETS-1`` → ``01``. Empty when the code names none (``DREETS-PDL``, ``SGAR``)."""
    parts = [part for part in re.split(r"[\s_-]+", code.strip()) if part]
    if len(parts) < 2 or not _NUMBER.match(parts[-1]):
        return ""
    number = parts[-1].upper()
    if number.isdigit() and len(number) == 1:
        number = "0" + number
    return number if number in DEPARTEMENTS else ""


def department_name(number: str) -> str:
    entry = DEPARTEMENTS.get(number)
    return entry[0] if entry else ""


def service_label(code: str) -> str:
    """A suggested label for a service code: ``DDETS-44`` → ``DDETS de la Loire-Atlantique``,
    ``DREETS-PDL`` → ``DREETS des Pays de la Loire``.

    Empty when the code names neither a département nor a region.
    """
    parts = [part for part in re.split(r"[\s_-]+", code.strip()) if part]
    number = department_from_code(code)
    if number:
        return f"{parts[0].upper()} {DEPARTEMENTS[number][1]}"
    region = region_of_service(code)
    return f"{parts[0].upper()} {REGIONS[region][1]}" if region else ""


def region_of_service(code: str) -> str:
    """The region a service code names, as a code of ``REGIONS``: ``DREETS-PDL`` → ``PDL``,
    ``DDETS-44`` → ``PDL`` (its département's). Empty when it names none (``SGAR``)."""
    number = department_from_code(code)
    if number:
        return region_of_department(number)
    parts = [part for part in re.split(r"[\s_-]+", code.strip()) if part]
    if len(parts) < 2:
        return ""
    return parts[-1].upper() if parts[-1].upper() in REGIONS else ""


# Regions since 2016: code (as in service codes such as ``DREETS-PDL``): (name, "de ..." form,
# départements). Overseas regions are one département each.
REGIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ARA": (
        "Auvergne-Rhône-Alpes",
        "d'Auvergne-Rhône-Alpes",
        ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"),
    ),
    "BFC": (
        "Bourgogne-Franche-Comté",
        "de Bourgogne-Franche-Comté",
        ("21", "25", "39", "58", "70", "71", "89", "90"),
    ),
    "BRE": ("Bretagne", "de Bretagne", ("22", "29", "35", "56")),
    "CVL": ("Centre-Val de Loire", "du Centre-Val de Loire", ("18", "28", "36", "37", "41", "45")),
    "COR": ("Corse", "de Corse", ("2A", "2B")),
    "GES": (
        "Grand Est",
        "du Grand Est",
        ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),
    ),
    "HDF": ("Hauts-de-France", "des Hauts-de-France", ("02", "59", "60", "62", "80")),
    "IDF": (
        "Île-de-France",
        "d'Île-de-France",
        ("75", "77", "78", "91", "92", "93", "94", "95"),
    ),
    "NOR": ("Normandie", "de Normandie", ("14", "27", "50", "61", "76")),
    "NAQ": (
        "Nouvelle-Aquitaine",
        "de Nouvelle-Aquitaine",
        ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"),
    ),
    "OCC": (
        "Occitanie",
        "d'Occitanie",
        ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),
    ),
    "PDL": ("Pays de la Loire", "des Pays de la Loire", ("44", "49", "53", "72", "85")),
    "PAC": (
        "Provence-Alpes-Côte d'Azur",
        "de Provence-Alpes-Côte d'Azur",
        ("04", "05", "06", "13", "83", "84"),
    ),
    "GUA": ("Guadeloupe", "de la Guadeloupe", ("971",)),
    "MTQ": ("Martinique", "de la Martinique", ("972",)),
    "GUY": ("Guyane", "de la Guyane", ("973",)),
    "REU": ("La Réunion", "de La Réunion", ("974",)),
    "MAY": ("Mayotte", "de Mayotte", ("976",)),
}

# Other ways plans name a region (folded: no accents, no case, single spaces).
_REGION_ALIASES = {
    "paca": "PAC",
    "provence alpes cote d azur": "PAC",
    "region sud": "PAC",
    "idf": "IDF",
    "reunion": "REU",
    "centre": "CVL",
    "centre val de loire": "CVL",
    "pdl": "PDL",
    "hdf": "HDF",
    "ara": "ARA",
    "bfc": "BFC",
}


def _region_key(text: str) -> str:
    from sradar_desktop.domain.text import strip_accents

    return " ".join(re.split(r"[^a-z0-9]+", strip_accents(text).lower())).strip()


def region_from_text(text: str) -> str:
    """The region a plan's « region » field names, as a code of ``REGIONS``: ``Pays de la
    Loire``, ``Région Hauts-de-France``, ``PACA``. Empty when it names none."""
    key = _region_key(text)
    if not key:
        return ""
    for prefix in ("region ", "la region "):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    names = {_region_key(name): code for code, (name, _of, _numbers) in REGIONS.items()}
    if key in names:
        return names[key]
    if key in _REGION_ALIASES:
        return _REGION_ALIASES[key]
    if key.upper() in REGIONS:
        return key.upper()
    # « SRADAR Pays de la Loire 2021-2023 »: a region's full name inside a longer text.
    padded = f" {key} "
    for name in sorted(names, key=len, reverse=True):
        if f" {name} " in padded:
            return names[name]
    return ""


def region_of_department(number: str) -> str:
    """The region code of a département number (``44`` → ``PDL``); empty when unknown."""
    for code, (_name, _of, numbers) in REGIONS.items():
        if number in numbers:
            return code
    return ""
