"""The answer scale of a questionnaire (default: oui / partiellement / non / nc)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sradar_desktop.domain.text import fold


@dataclass(frozen=True)
class ScaleLevel:
    code: str
    label: str
    color: str
    description: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scale:
    levels: tuple[ScaleLevel, ...]
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for level in self.levels:
            for name in (level.code, level.label, *level.aliases):
                lookup.setdefault(fold(name), level.code)
        object.__setattr__(self, "_lookup", lookup)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)

    def level(self, code: str) -> ScaleLevel:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(code)

    def choices_text(self) -> str:
        return ", ".join(self.codes)

    def parse(self, text: object) -> str | None:
        """The scale code for what someone typed, ``None`` for an empty cell.

        Case, accents and surrounding spaces do not matter (``Oui``, ``OUI``, ``Partiel``).
        Raises ``ValueError`` with a French message for anything else.
        """
        if text is None:
            return None
        key = fold(str(text)).strip(" .")
        if not key:
            return None
        code = self._lookup.get(key)
        if code is None:
            raise ValueError(
                f"« {str(text).strip()} » n'est pas une réponse possible ({self.choices_text()})"
            )
        return code


# What people type for the standard levels, besides their code and label.
STANDARD_ALIASES: dict[str, tuple[str, ...]] = {
    "oui": ("o", "yes", "realise", "realisee", "fait"),
    "partiellement": ("partiel", "partielle", "p", "en partie", "en cours", "part."),
    "non": ("n", "no", "non realise", "non realisee"),
    "nc": ("n.c", "n/c", "non communique", "non concerne", "sans objet", "so"),
}


def scale_level(code: str, label: str, color: str, description: str = "") -> ScaleLevel:
    """A level with the standard aliases of its code, if it has any."""
    return ScaleLevel(code, label, color, description, STANDARD_ALIASES.get(code, ()))


DEFAULT_SCALE = Scale(
    (
        scale_level("oui", "Oui", "#2e7d32", "L'action a été réalisée."),
        scale_level(
            "partiellement",
            "Partiellement",
            "#e65100",
            "L'action a été engagée ou réalisée en partie.",
        ),
        scale_level("non", "Non", "#c62828", "L'action n'a pas été réalisée."),
        scale_level("nc", "NC", "#616161", "Non communiqué ou non concerné."),
    )
)
