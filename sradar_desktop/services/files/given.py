"""The files a person gives, dropped on a window or named on the command line: a folder stands
for the files in it that can be read, a name with wildcards for the files it matches.

A Windows command line (cmd, PowerShell) hands « Réponses\\*.xlsx » to the program as it is
typed, where a Linux shell would have listed the files: the program lists them itself.
"""

from __future__ import annotations

import os
from collections.abc import Set
from pathlib import Path

from sradar_desktop.mail import MESSAGE_SUFFIXES
from sradar_desktop.workbook import SPREADSHEET_SUFFIXES, TEXT_SUFFIXES

# Workbooks, and saved messages whose attached workbooks are read: what a consolidation reads.
ANSWER_SUFFIXES = frozenset(SPREADSHEET_SUFFIXES | MESSAGE_SUFFIXES)
# Those, and plan tables as text: what an import reads.
IMPORTABLE_SUFFIXES = frozenset(ANSWER_SUFFIXES | TEXT_SUFFIXES)
_WILDCARDS = frozenset("*?")  # as on Windows: brackets are part of a name


def _listed(path: Path, suffixes: Set[str]) -> bool:
    """A file of one of these kinds, not hidden, nor the « ~$… » file Excel keeps beside a
    workbook it has open (nor ``desktop.ini`` or ``Thumbs.db``, which no suffix names)."""
    return (
        path.suffix.lower() in suffixes and not path.name.startswith((".", "~$")) and path.is_file()
    )


def given_files(path: Path, suffixes: Set[str] = IMPORTABLE_SUFFIXES) -> list[Path]:
    """What ``path``, given by a person, stands for:

    - a folder: the files in it of these ``suffixes`` (not those of its subfolders), by name;
    - a name with wildcards (``*``, ``?``, in its last part: the folder is taken as written)
      that names no file itself: the files of that folder it matches, of these ``suffixes``,
      by name (none when it matches none);
    - anything else: itself (a file, of any kind, or a name that is not there: refused later,
      with its reason).
    """
    if path.is_dir():
        return sorted(child for child in path.iterdir() if _listed(child, suffixes))
    if not path.exists() and _WILDCARDS.intersection(path.name) and path.parent.is_dir():
        import glob  # here: the windows list the files dropped on them without it

        pattern = os.path.join(glob.escape(str(path.parent)), path.name.replace("[", "[[]"))
        return sorted(found for found in map(Path, glob.glob(pattern)) if _listed(found, suffixes))
    return [path]
