"""Matching a revised action plan against its previous version.

A plan is amended between evaluations: actions are added, removed, reworded, renumbered, split
or merged. ``propose_matching`` links the actions of the two versions, from the surest links to
the least sure, each action being used once:

1. same code and same text (``SAME``);
2. same text under another code (``RENUMBERED``);
3. one old action whose text holds the texts of several new ones (``SPLIT``), or one new action
   holding the texts of several old ones (``MERGED``): each part is shorter than the whole and
   has at least ``PART_MIN`` of its words in it, and the parts together hold ``COVER_MIN`` of
   the whole's words (before rewording, so that a split keeping the old code for its first
   part is not taken for a rewording);
4. same code, text reworded: similarity ≥ ``REWORDED_MIN`` (``REWORDED``);
5. another code and a text barely changed: similarity ≥ ``RENUMBERED_MIN`` (``RENUMBERED``);
6. what is left is ``REMOVED`` (old) or ``NEW`` (new).

Texts are compared by their words, folded (``domain.text.fold``: no case, accents or extra
spaces; punctuation and apostrophes left out, so that « d’hébergement » typed « d'hébergement »
or a full stop dropped is the same text). The similarity of two texts is difflib's
``SequenceMatcher.ratio`` on these keys (0 to 1); the share of a part in a whole counts the
part's words of three letters or more, common French words left out. Each link has a
confidence: 1 for the same text, the similarity for a rewording, the mean share of the parts
for a split or a merge, and 1 minus the similarity of the closest action left on the other side
for a new or a removed action. The result is deterministic: the same two plans give the same
matching, in the order of the revised plan (removed actions last).

A user corrects a proposal with ``replace_link`` and checks it with ``matching_problems``.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sradar_desktop.domain.plan import Plan
from sradar_desktop.domain.text import fold

# Thresholds (see the module docstring). A reworded action under the same code keeps most of its
# text (0.6 lets a third of it change); under a new code the text must be nearly the same (0.85),
# since a changed code and a changed text together are more likely another action.
REWORDED_MIN = 0.6
RENUMBERED_MIN = 0.85
PART_MIN = 0.6
COVER_MIN = 0.7

_WORD = re.compile(r"\w+")
# Common French words of three letters or more, left out when comparing the words of texts.
_COMMON_WORDS = frozenset(
    {
        "les", "des", "une", "dans", "par", "pour", "sur", "avec", "aux", "que", "qui", "son",
        "ses", "leur", "leurs", "est", "sont", "cette", "ces", "ainsi", "afin", "entre",
    }
)  # fmt: skip


class LinkKind(StrEnum):
    SAME = "same"
    RENUMBERED = "renumbered"
    REWORDED = "reworded"
    SPLIT = "split"
    MERGED = "merged"
    NEW = "new"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return {
            LinkKind.SAME: "identique",
            LinkKind.RENUMBERED: "renumérotée",
            LinkKind.REWORDED: "reformulée",
            LinkKind.SPLIT: "scindée",
            LinkKind.MERGED: "fusionnée",
            LinkKind.NEW: "nouvelle",
            LinkKind.REMOVED: "retirée",
        }[self]


@dataclass(frozen=True)
class Link:
    """Old action code(s) → new action code(s), how, and how sure the proposal is (0 to 1)."""

    kind: LinkKind
    old: tuple[str, ...]
    new: tuple[str, ...]
    confidence: float = 1.0

    def describe(self) -> str:
        """One French line: ``1.2 → 1.3 : renumérotée (confiance 100 %)``."""
        old = ", ".join(self.old) or "—"
        new = ", ".join(self.new) or "—"
        return f"{old} → {new} : {self.kind.label} (confiance {round(self.confidence * 100)} %)"


@dataclass(frozen=True)
class Matching:
    links: tuple[Link, ...]

    def carried(self) -> dict[str, list[str]]:
        """Old code → the new codes its answers go to (removed actions are not in it)."""
        carried: dict[str, list[str]] = {}
        for link in self.links:
            if link.new:
                for old in link.old:
                    carried.setdefault(old, []).extend(link.new)
        return carried

    def counts(self) -> dict[LinkKind, int]:
        counts = dict.fromkeys(LinkKind, 0)
        for link in self.links:
            counts[link.kind] += 1
        return counts

    def to_mapping(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": str(link.kind),
                "old": list(link.old),
                "new": list(link.new),
                "confidence": link.confidence,
            }
            for link in self.links
        ]

    @classmethod
    def from_mapping(cls, data: Iterable[dict[str, Any]]) -> Matching:
        return cls(
            tuple(
                Link(
                    LinkKind(item["kind"]),
                    tuple(str(code) for code in item["old"]),
                    tuple(str(code) for code in item["new"]),
                    float(item.get("confidence", 1.0)),
                )
                for item in data
            )
        )


@functools.lru_cache(maxsize=8192)
def text_key(text: str) -> str:
    """An action text as compared here: its folded words, single spaces."""
    return " ".join(_WORD.findall(fold(text)))


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """How alike two action texts are, 0 to 1 (difflib ratio of their keys); 0 as soon as it
    is sure to be below ``floor`` (difflib's quick upper bounds, to compare many texts)."""
    matcher = difflib.SequenceMatcher(None, text_key(a), text_key(b), autojunk=False)
    if floor and (matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor):
        return 0.0
    return matcher.ratio()


def _words(text: str) -> set[str]:
    return {w for w in text_key(text).split() if len(w) >= 3 and w not in _COMMON_WORDS}


def part_of(part: str, whole: str) -> float:
    """The share of ``part``'s words found in ``whole`` (0 to 1)."""
    words = _words(part)
    return len(words & _words(whole)) / len(words) if words else 0.0


def _parts(texts: Sequence[str], whole: str) -> dict[int, float]:
    """The indexes of ``texts`` that look like pieces of ``whole`` (each shorter than it, each
    with ``PART_MIN`` of its words in it, together ``COVER_MIN`` of its words), with their
    share; empty when they do not make up the whole."""
    whole_words = _words(whole)
    parts = {
        i: share
        for i, text in enumerate(texts)
        if len(_words(text)) < len(whole_words) and (share := part_of(text, whole)) >= PART_MIN
    }
    covered = set().union(*(_words(texts[i]) for i in parts)) & whole_words
    if not whole_words or len(covered) / len(whole_words) < COVER_MIN:
        return {}
    return parts


def propose_matching(old: Plan, new: Plan) -> Matching:
    """The proposed links from the actions of ``old`` to those of ``new`` (see the module)."""
    old_text = {a.code: a.text for a in old.actions()}
    new_text = {a.code: a.text for a in new.actions()}
    old_left = list(old_text)  # plan order, so that ties are broken the same way every time
    new_left = list(new_text)
    links: list[Link] = []

    def take(kind: LinkKind, olds: Sequence[str], news: Sequence[str], confidence: float) -> None:
        links.append(Link(kind, tuple(olds), tuple(news), round(confidence, 3)))
        for code in olds:
            old_left.remove(code)
        for code in news:
            new_left.remove(code)

    for code in [c for c in old_left if c in new_text]:
        if text_key(old_text[code]) == text_key(new_text[code]):
            take(LinkKind.SAME, [code], [code], 1.0)
    by_text: dict[str, list[str]] = {}
    for code in new_left:
        by_text.setdefault(text_key(new_text[code]), []).append(code)
    for code in list(old_left):
        same_text = by_text.get(text_key(old_text[code]))
        if same_text:
            take(LinkKind.RENUMBERED, [code], [same_text.pop(0)], 1.0)
    for o in list(old_left):
        parts = _parts([new_text[n] for n in new_left], old_text[o])
        if len(parts) >= 2:
            take(
                LinkKind.SPLIT, [o], [new_left[i] for i in parts], sum(parts.values()) / len(parts)
            )
    for n in list(new_left):
        parts = _parts([old_text[o] for o in old_left], new_text[n])
        if len(parts) >= 2:
            take(
                LinkKind.MERGED, [old_left[i] for i in parts], [n], sum(parts.values()) / len(parts)
            )
    for code in [c for c in old_left if c in new_left]:
        ratio = similarity(old_text[code], new_text[code])
        if ratio >= REWORDED_MIN:
            take(LinkKind.REWORDED, [code], [code], ratio)
    pairs = sorted(
        (-ratio, old_index, new_index)
        for old_index, o in enumerate(old_left)
        for new_index, n in enumerate(new_left)
        if (ratio := similarity(old_text[o], new_text[n], RENUMBERED_MIN)) >= RENUMBERED_MIN
    )
    olds, news = list(old_left), list(new_left)
    for negative_ratio, old_index, new_index in pairs:
        o, n = olds[old_index], news[new_index]
        if o in old_left and n in new_left:
            take(LinkKind.RENUMBERED, [o], [n], -negative_ratio)
    # How sure: 1 minus the similarity of the closest action left on the other side.
    leftover_old, leftover_new = list(old_left), list(new_left)
    for o in leftover_old:
        best = max((similarity(old_text[o], new_text[n]) for n in leftover_new), default=0.0)
        take(LinkKind.REMOVED, [o], [], 1.0 - best)
    for n in leftover_new:
        best = max((similarity(old_text[o], new_text[n]) for o in leftover_old), default=0.0)
        take(LinkKind.NEW, [], [n], 1.0 - best)
    return Matching(tuple(_ordered(links, old, new)))


def _ordered(links: Iterable[Link], old: Plan, new: Plan) -> list[Link]:
    """Links in the order of the new plan; removed actions last, in the order of the old one."""
    new_rank = {a.code: i for i, a in enumerate(new.actions())}
    old_rank = {a.code: i for i, a in enumerate(old.actions())}
    big = len(new_rank) + len(old_rank)
    return sorted(
        links,
        key=lambda link: (
            min((new_rank.get(c, big) for c in link.new), default=big),
            min((old_rank.get(c, big) for c in link.old), default=big),
        ),
    )


def _kind_of(olds: Sequence[str], news: Sequence[str], old: Plan, new: Plan) -> LinkKind:
    if not news:
        return LinkKind.REMOVED
    if not olds:
        return LinkKind.NEW
    if len(olds) > 1:
        return LinkKind.MERGED
    if len(news) > 1:
        return LinkKind.SPLIT
    old_text = {a.code: a.text for a in old.actions()}[olds[0]]
    new_text = {a.code: a.text for a in new.actions()}[news[0]]
    if olds[0] != news[0]:
        return LinkKind.RENUMBERED
    return LinkKind.SAME if text_key(old_text) == text_key(new_text) else LinkKind.REWORDED


def replace_link(
    matching: Matching,
    old: Plan,
    new: Plan,
    old_codes: Sequence[str],
    new_codes: Sequence[str],
) -> Matching:
    """The matching with ``old_codes → new_codes`` as the user says (confidence 1): the links
    that used these codes are dropped, and the actions they leave without a link become
    removed (old) or new (new). Check the result with ``matching_problems``."""
    problems = _unknown(
        old_codes, new_codes, {a.code for a in old.actions()}, {a.code for a in new.actions()}
    )
    if problems or not (old_codes or new_codes):
        raise ValueError(problems[0] if problems else "le lien ne nomme aucune action")
    touched_old, touched_new = set(old_codes), set(new_codes)
    kept = [
        link
        for link in matching.links
        if not (touched_old & set(link.old) or touched_new & set(link.new))
    ]
    kept.append(Link(_kind_of(old_codes, new_codes, old, new), tuple(old_codes), tuple(new_codes)))
    linked_old = {c for link in kept for c in link.old}
    linked_new = {c for link in kept for c in link.new}
    for link in matching.links:
        kept.extend(Link(LinkKind.REMOVED, (c,), ()) for c in link.old if c not in linked_old)
        kept.extend(Link(LinkKind.NEW, (), (c,)) for c in link.new if c not in linked_new)
        linked_old.update(link.old)
        linked_new.update(link.new)
    return Matching(tuple(_ordered(kept, old, new)))


def _unknown(
    olds: Iterable[str], news: Iterable[str], old_codes: set[str], new_codes: set[str]
) -> list[str]:
    return [
        f"l'action {c} n'existe pas dans la version précédente du plan"
        for c in olds
        if c not in old_codes
    ] + [f"l'action {c} n'existe pas dans le plan révisé" for c in news if c not in new_codes]


def matching_problems(matching: Matching, old: Plan, new: Plan) -> list[str]:
    """French descriptions of what makes a matching unusable (empty when it is fine): every
    action of both versions in exactly one link; several origins only for a merge, several
    targets only for a split."""
    problems: list[str] = []
    old_codes = {a.code for a in old.actions()}
    new_codes = {a.code for a in new.actions()}
    seen_old: dict[str, int] = {}
    seen_new: dict[str, int] = {}
    for link in matching.links:
        problems += _unknown(link.old, link.new, old_codes, new_codes)
        if not (link.old or link.new):
            problems.append("un lien ne nomme aucune action")
        if len(link.old) > 1 and len(link.new) > 1:
            problems.append(
                f"le lien {', '.join(link.old)} → {', '.join(link.new)} relie plusieurs "
                "actions à plusieurs : faites-en une fusion puis une scission"
            )
        if len(link.old) > 1 and link.kind != LinkKind.MERGED:
            problems.append(
                f"l'action {link.new[0] if link.new else '?'} a plusieurs origines sans être "
                "une fusion"
            )
        if len(link.new) > 1 and link.kind != LinkKind.SPLIT:
            problems.append(f"l'action {link.old[0]} a plusieurs suites sans être une scission")
        for code in link.old:
            seen_old[code] = seen_old.get(code, 0) + 1
        for code in link.new:
            seen_new[code] = seen_new.get(code, 0) + 1
    for action in old.actions():
        n = seen_old.get(action.code, 0)
        if n == 0:
            problems.append(f"l'action {action.code} de la version précédente n'a aucun lien")
        elif n > 1:
            problems.append(
                f"l'action {action.code} de la version précédente figure dans {n} liens"
            )
    for action in new.actions():
        n = seen_new.get(action.code, 0)
        if n == 0:
            problems.append(f"l'action {action.code} du plan révisé n'a aucun lien")
        elif n > 1:
            problems.append(f"l'action {action.code} du plan révisé figure dans {n} liens")
    return problems
