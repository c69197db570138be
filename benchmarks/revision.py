"""Revising a large plan: proposing the matching, then recording the revision.

    python benchmarks/revision.py                  # a plan of 5,000 actions
    python benchmarks/revision.py --actions 1000

The revised plan changes 1 % of the actions each way (reworded, renumbered, removed, added) and
splits 0.2 % of them. Two ratios, each against a reference of the same run:

- proposing the matching / matching the plan against itself (every action the same: the
  linear floor of reading and comparing the texts);
- recording the revision in an SQLite database / storing the same plan as a new questionnaire.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.consolidation import timed  # noqa: E402
from benchmarks.data import make_plan  # noqa: E402
from sradar_desktop.domain.plan import Plan, plan_from_mapping, plan_to_mapping  # noqa: E402
from sradar_desktop.domain.revision import propose_matching  # noqa: E402


def plans(actions: int) -> tuple[Plan, Plan]:
    """A plan of about ``actions`` actions with distinct texts, and its revision."""
    data = plan_to_mapping(make_plan(actions))
    data["id"] = "revision-benchmark"
    themes = [t for o in data["objectives"] for t in o["themes"]]
    for number, action in enumerate(a for t in themes for a in t["actions"]):
        action["text"] = f"{action['text']} (mesure n° {number})"
    old = plan_from_mapping(data)
    rng = random.Random(13)
    every = [(t, a) for t in themes for a in t["actions"]]
    share = max(len(every) // 100, 1)
    picked = rng.sample(every, 4 * share + max(len(every) // 500, 1))
    for _, action in picked[:share]:
        action["text"] = "Revoir : " + action["text"]
    for _, action in picked[share : 2 * share]:
        action["code"] += "-bis"
    for theme, action in picked[2 * share : 3 * share]:
        theme["actions"].remove(action)
    for number, (theme, _) in enumerate(picked[3 * share : 4 * share]):
        theme["actions"].append(
            {"code": f"{theme['code']}.n{number}", "text": f"Action ajoutée n° {number}"}
        )
    for theme, action in picked[4 * share :]:
        first, _, second = action["text"].partition(",")
        if second:
            position = theme["actions"].index(action)
            theme["actions"][position : position + 1] = [
                {**action, "text": first},
                {**action, "code": action["code"] + "-2", "text": second},
            ]
    return old, plan_from_mapping(data)


def run(actions: int = 5000) -> dict[str, float]:
    from sradar_desktop.services.database import Database
    from sradar_desktop.services.questionnaires import store_plan
    from sradar_desktop.services.revisions import apply_revision, preview_revision

    old, new = plans(actions)
    same_s = timed(lambda: propose_matching(old, old))
    match_s = timed(lambda: propose_matching(old, new))
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(Path(folder) / "revision.sqlite3")
        try:

            def store() -> None:
                with db.write() as session:
                    store_plan(session, old, "import")

            store_s = timed(store)
            apply_s = timed(lambda: apply_revision(db, preview_revision(db, old.id, new)))
        finally:
            db.close()
    return {
        "actions": len(old.actions()),
        "same_s": same_s,
        "match_s": match_s,
        "match_ratio": match_s / same_s,
        "store_s": store_s,
        "apply_s": apply_s,
        "apply_ratio": apply_s / store_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=5000)
    result = run(parser.parse_args().actions)
    print(
        f"Plan de {result['actions']} actions : correspondance proposée en "
        f"{result['match_s']:.2f} s, contre {result['same_s']:.2f} s pour le plan comparé à "
        f"lui-même ({result['match_ratio']:.1f} ×) ; révision enregistrée en "
        f"{result['apply_s']:.2f} s, contre {result['store_s']:.2f} s pour enregistrer le même "
        f"plan comme nouveau questionnaire ({result['apply_ratio']:.1f} ×)."
    )


if __name__ == "__main__":
    main()
