"""Synthetic, clearly fictional demo data: for trying the tool, tests and benchmarks.

Every name, place and reference is invented and marked as demo data. Post-training audits
meet the standard more often than baseline ones, so findings show a plausible change.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from . import history as history_log
from .checklists.loader import bundled
from .domain import Phase
from .reviewers import local_reviewer
from .store import Database, now, step_list_shown

ADDED_ITEMS = frozenset({"le-09", "lt-01"})  # learning themes (issue 20): answered from `side`
AREAS = ("Glenmorven (demo)", "Strathallan Vale (demo)", "Inverbrack (demo)",
         "Port Ceanna (demo)", "Eilean Dorcha (demo)", "Kilbrannan Forth (demo)")
AGENCIES = ("Children and Families (demo)", "Justice Social Work (demo)",
            "Alcohol and Drug Service (demo)", "Health Visiting (demo)",
            "Specialist Women's Service (demo)", "Education (demo)")
TEAMS = ("North team", "South team", "Duty team", "Long-term team")
REVIEWERS = (("Demo Reviewer Ailsa", "Senior practitioner"), ("Demo Reviewer Ruaridh", "Team leader"),
             ("Demo Reviewer Morag", "Safe & Together champion"), ("Demo Reviewer Tomasz", "Social worker"),
             ("Demo Reviewer Eilidh", "Implementation lead"), ("Demo Reviewer Priya", "Practice lead"))
GOOD_NOTES = (
    "Chronology sets out the perpetrator's pattern of control over several months.",
    "Assessment records the mother's daily protective steps for the children.",
    "Plan names what is expected of the father and how it will be checked.",
    "Harm statement names the perpetrator and the specific behaviour.",
    "Contact risks considered before arrangements were agreed.",
)
WEAK_NOTES = (
    "Record focuses on one incident; no pattern described.",
    "Case note refers to a volatile relationship and mutual violence.",
    "Plan says mother must call the police; nothing asked of the father.",
    "Child described as exposed to domestic violence; impact not described.",
    "Separation treated as ending the risk; contact not assessed.",
)
RECOMMENDATIONS = (
    ("Use the pattern-based chronology template in all new assessments.", "Team leader (demo)"),
    ("Engage fathers who use abuse as parents in every plan.", "Practice lead (demo)"),
    ("Refresh language guidance at the next team meeting.", "Safe & Together champion (demo)"),
    ("Consult the specialist women's service on drug-related death reviews.", "ADP co-ordinator (demo)"),
)


def generate(
    db: Database,
    audits: int,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 1000,
) -> int:
    """Add `audits` fictional audits (with cases and reviewers). Returns how many were added."""
    rng = random.Random(seed)
    # draws for what was added after the demo's figures were pinned (learning themes, action
    # tracking): their own sequence, so every earlier demo figure stays as it was
    side = random.Random(f"demo-additions-{seed}")
    checklists = bundled()
    weights = [5 if c.id.startswith("safe-together") else 2 for c in checklists]
    shas = [db.store_checklist(c) for c in checklists]
    prepared = [_prepare(c.definition) for c in checklists]
    me = local_reviewer(db)
    reviewer_ids = [me.id]
    with db.atomic() as c:
        for name, role in REVIEWERS:
            rid = str(uuid.uuid4())
            c.execute("INSERT INTO reviewers VALUES (?, ?, ?, ?, 0, ?)",
                      (rid, name, role, rng.choice(AGENCIES), now()))
            reviewer_ids.append(rid)
    start = datetime(2024, 11, 4, 9, 0, tzinfo=UTC)  # the latest demo date stays in the past
    done = 0
    case_ids: list[tuple[str, str]] = []
    while done < audits:
        n = min(batch, audits - done)
        cases, audit_rows, answers, history = [], [], [], []
        for _ in range(n):
            if case_ids and rng.random() < 0.25:  # some files are read again (pre/post)
                case_id, area = rng.choice(case_ids)
            else:
                case_id, area = str(uuid.uuid4()), rng.choice(AREAS)
                seq = len(case_ids) + 1
                cases.append((case_id, f"DEMO-{seed:02d}-{seq:06d}", f"Case D{seed % 100:02d}{seq:05d}",
                              area, rng.choice(AGENCIES), rng.choice(TEAMS), now()))
                case_ids.append((case_id, area))
            k = rng.choices(range(len(checklists)), weights)[0]
            loaded, (items, visible) = checklists[k], prepared[k]
            definition = loaded.definition
            phase = rng.choices(list(Phase), (45, 40, 15))[0]
            skill = {Phase.BASELINE: 0.42, Phase.POST_TRAINING: 0.66, Phase.FOLLOW_UP: 0.70}[phase]
            skill = min(0.95, max(0.05, rng.gauss(skill, 0.12)))
            day = {Phase.BASELINE: 0, Phase.POST_TRAINING: 300, Phase.FOLLOW_UP: 520}[phase]
            created = start + timedelta(days=day + rng.randint(0, 200), minutes=rng.randint(0, 600))
            stamp = created.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            draft = rng.random() < 0.1
            audit_id = str(uuid.uuid4())
            ratings: dict[str, str | None] = {}
            answered = 0
            for item, scale in items:
                r = side if item.id in ADDED_ITEMS else rng
                if not visible(item, ratings) or (draft and r.random() < 0.35):
                    continue
                rating = _rate(r, scale, skill, ratings)
                ratings[item.id] = rating
                answered += 1
                good = scale.meets(rating)
                note = ""
                # practice notes only where a judgement was made (not on facts or "not applicable")
                if good is not None and r.random() < 0.35:
                    note = rng.choice(GOOD_NOTES if good else WEAK_NOTES)
                answers.append((audit_id, item.id, rating, note, 1, stamp))
            # not asked after a failing answer: counts as not meeting the standard
            answers += [
                (audit_id, item.id, None, "", 0, 1, stamp)
                for item, scale in items
                if not scale.is_fact and definition.hidden_effect(item, ratings) == "fails"
            ]
            strengths = improvements = ""
            if not draft:
                strengths = "Clear chronology and strengths-based work with the mother (demo text)."
                improvements = "Name the perpetrator's behaviour and its impact on the child (demo text)."
            audit_rows.append((
                audit_id, case_id, shas[k], loaded.id,
                rng.choice(loaded.definition.audit_types or ("case_file_audit",)), phase.value,
                rng.choice(reviewer_ids), "draft" if draft else "finalised", stamp, stamp,
                None if draft else stamp, "Demo audit: fictional data.", strengths, improvements,
                answered,
            ))
            history.append((audit_id, stamp, "demo", "created", "", None, "demo data"))
            if not draft and rng.random() < 0.3:
                text, owner = rng.choice(RECOMMENDATIONS)
                history.append((audit_id, stamp, "demo", "recommendations", "", None, text))
                audit_rows[-1] = audit_rows[-1] + ((text, owner, *_demo_action(side)),)
        with db.atomic() as c:
            c.executemany("INSERT INTO cases (id, reference, pseudonym, area, agency, team,"
                          " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", cases)
            c.executemany(
                "INSERT INTO audits (id, case_id, checklist_sha, checklist_id, audit_type, phase,"
                " reviewer_id, status, created_at, updated_at, finalised_at, summary, strengths,"
                " improvements, answered) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(*r[:7], "draft", *r[8:15]) for r in audit_rows],  # answers go in first
            )
            c.executemany(
                "INSERT INTO recommendations (audit_id, pos, text, owner) VALUES (?, 0, ?, ?)",
                [(r[0], r[15][0], r[15][1]) for r in audit_rows if len(r) > 15],
            )
            # each recommendation's tracking (drawn from `side`: other demo figures unchanged)
            c.executemany(
                "INSERT INTO recommendation_actions (audit_id, pos, status, body, link, status_at,"
                " updated_at) VALUES (?, 0, ?, ?, '', ?, ?)",
                [(r[0], r[15][2], r[15][3], r[8], r[8]) for r in audit_rows if len(r) > 15],
            )
            c.executemany("INSERT INTO answers (audit_id, item_id, rating, note, applies,"
                          " updated_at) VALUES (?, ?, ?, ?, ?, ?)", [a for a in answers if len(a) == 6])
            c.executemany("INSERT INTO answers (audit_id, item_id, rating, note, applies,"
                          " hidden_fails, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          [a for a in answers if len(a) == 7])
            step_list_shown.fill(c, [r[0] for r in audit_rows])  # items shown, for the list
            # then finalise: the database refuses answers added to a finalised audit
            c.executemany(
                "UPDATE audits SET status = 'finalised', first_finalised_at = finalised_at"
                " WHERE id = ?",
                [(r[0],) for r in audit_rows if r[7] == "finalised"],
            )
            history_log.append_many(c, history)
        done += n
        if progress:
            progress(done, audits)
    return done


def _prepare(definition):
    items = [(item, definition.scale_of(item)) for _, item in definition.items()]
    return items, definition.visible


# Relative weights for fact answers (what happened, never scored); any other value weighs 10.
# Roughly a third of the demo deaths are women's, so reports split by sex have both groups;
# most children stay with the non-offending parent.
FACT_WEIGHTS = {
    "female": 32, "male": 65, "not_known": 3, "not_recorded": 3, "na": 2,
    "non_offending_parent": 40, "both_parents": 14, "perpetrator": 3, "kinship": 10,
    "looked_after": 8, "other": 3,
    "not_registered": 35, "deregistered": 20, "registered": 30,
}
# Outcomes that follow good practice grow with the reader's "skill" (post-training files),
# so pre/post reports show outcomes changing as well as practice.
BETTER_WITH_SKILL = {"change_evidenced", "in_programme", "non_offending_parent", "deregistered"}
WORSE_WITH_SKILL = {"not_offered", "looked_after", "perpetrator"}
# An outcome about the perpetrator follows whether the file identified him.
PERPETRATOR_GATES = ("en-01", "pp-16")
NOT_IDENTIFIED = "not_identified"


def _ticks(rng: random.Random, scale) -> str:
    """A multiple-choice answer: each option ticked about one time in three; "none of
    these" (an exclusive option) when nothing else is."""
    lone = [lv.value for lv in scale.levels if lv.exclusive]
    chosen = [lv.value for lv in scale.levels if not lv.exclusive and rng.random() < 0.35]
    return scale.canonical(chosen or lone[:1] or [scale.levels[0].value])


def _fact(rng: random.Random, scale, skill: float, ratings: dict[str, str | None]) -> str:
    if scale.is_multiple:
        return _ticks(rng, scale)
    values = [lv.value for lv in scale.levels]
    if NOT_IDENTIFIED in values:
        gate = next((ratings[g] for g in PERPETRATOR_GATES if g in ratings), None)
        if gate in ("no", "not_recorded"):
            return NOT_IDENTIFIED
    weights = []
    for v in values:
        w = FACT_WEIGHTS.get(v, 10) * (0.5 + skill if v in BETTER_WITH_SKILL else 1.0)
        w *= 1.5 - skill if v in WORSE_WITH_SKILL else 1.0
        weights.append(0 if v == NOT_IDENTIFIED else w)
    return rng.choices(values, weights)[0]


def _rate(rng: random.Random, scale, skill: float, ratings: dict[str, str | None]) -> str:
    if scale.is_fact:
        return _fact(rng, scale, skill, ratings)
    rated = [lv.value for lv in scale.levels if lv.value not in scale.not_rated]
    meets = [v for v in rated if v in scale.meets_standard]
    misses = [v for v in rated if v not in scale.meets_standard]
    if scale.not_rated and rng.random() < 0.05:
        return scale.not_rated[0]
    if not misses or rng.random() < skill:
        return meets[-1] if len(meets) > 1 and rng.random() < 0.55 else rng.choice(meets)
    return misses[0] if rng.random() < 0.5 else rng.choice(misses)


def _demo_action(side: random.Random) -> tuple[str, str]:
    """A demo recommendation's status and body."""
    status = side.choice(("open", "open", "in progress", "in progress", "done", "done", "done", "dropped"))
    return status, side.choice(("CPC", "VAWP", "ADP", "service"))
