"""Write docs/checklists-3.0.md: every bundled checklist item whose wording, guidance or
scale changed between two versions, old and new side by side, and the coverage counts.

    python scripts/checklist_changes.py [BASE]     # BASE: a git revision, default "main"

Old text comes from `git show BASE:checklists/<file>`, new text from the working tree.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = (
    "safe_together_case_file_audit.toml",
    "gendered_drug_alcohol_death_review.toml",
    "thematic_perpetrators_as_parents.toml",
    "multi_agency_case_file_review.toml",
)
# Items retired in 3.0 and the items that now carry what they asked (issue 19).
CARRIED_BY = {
    "safe_together_case_file_audit.toml": {
        "pr-02": "pr-01", "pr-04": "bl-06, pl-08", "co-03": "co-07", "co-05": "co-08",
        "as-02": "co-02", "as-05": "as-09", "en-04": "en-02", "en-08": "co-07",
        "do-01": "co-02, co-07", "do-02": "co-01", "pl-02": "pr-03", "pl-04": "co-06",
        "pl-06": "pl-13", "pl-10": "pl-15, pl-16", "pl-11": "pl-08", "bl-01": "co-01",
        "bl-03": "bl-06, en-02", "bl-04": "bl-08, pl-08", "bl-05": "pl-05",
    },
    "gendered_drug_alcohol_death_review.toml": {
        **{i: "de-12" for i in ("de-02", "de-03", "de-04", "de-05")},
        **{i: "sv-25" for i in ("sv-01", "sv-02", "sv-04", "sv-05", "sv-06", "sv-09",
                                "sv-10", "sv-17", "sv-18")},
    },
    "thematic_perpetrators_as_parents.toml": {"pp-09": "pp-20", "pp-13": "pp-21, pp-22"},
    "multi_agency_case_file_review.toml": {"as-09": "as-10, as-11"},
}
KINDS = ("principle", "component", "practice_area")


def _items(data: dict) -> dict[str, dict]:
    return {i["id"]: i for t in data["themes"] for i in t["items"]}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _coverage(data: dict) -> list[tuple[str, int]]:
    scales = data["scales"]
    counts = Counter(
        tag
        for item in _items(data).values()
        if scales[item["scale"]].get("kind", "rating") == "rating"
        for tag in item.get("tags", [])
    )
    return [
        (tag["label"], counts.get(tid, 0))
        for tid, tag in data.get("tags", {}).items()
        if tag["kind"] in KINDS
    ]


def table(name: str, base: str) -> list[str]:
    old_text = subprocess.run(
        ["git", "show", f"{base}:checklists/{name}"], cwd=ROOT, check=True,
        capture_output=True, text=True,
    ).stdout
    old, new = tomllib.loads(old_text), tomllib.loads((ROOT / "checklists" / name).read_text("utf-8"))
    before, after = _items(old), _items(new)
    out = [
        f"## {new['title']} ({old['version']} -> {new['version']})",
        "",
        f"{len(before)} items before, {len(after)} after.",
        "",
        "| Item | Old wording | New wording | What changed |",
        "|---|---|---|---|",
    ]
    for item_id in [*before, *(i for i in after if i not in before)]:
        was, now = before.get(item_id), after.get(item_id)
        if was and not now:
            carried = CARRIED_BY.get(name, {}).get(item_id, "")
            what = f"Retired; now asked at {carried}" if carried else "Retired"
            out.append(f"| {item_id} | {_cell(was['question'])} | - | {what} |")
            continue
        if now and not was:
            out.append(f"| {item_id} | - | {_cell(now['question'])} | New ({now['scale']}) |")
            continue
        changes = [
            label
            for key, label in (("question", "wording"), ("guidance", "guidance"),
                               ("scale", "scale"), ("tags", "tags"), ("show_when", "condition"))
            if was.get(key) != now.get(key)
        ]
        if not changes:
            continue
        if "scale" in changes:
            changes[changes.index("scale")] = f"scale {was['scale']} -> {now['scale']}"
        old_q = _cell(was["question"]) if was["question"] != now["question"] else "(same)"
        out.append(f"| {item_id} | {old_q} | {_cell(now['question'])} | {', '.join(changes)} |")
    scale_changes = []
    for sid, scale in new["scales"].items():
        was_scale = old["scales"].get(sid)
        if was_scale is None:
            labels = "; ".join(lv["label"] for lv in scale["levels"])
            scale_changes.append(f"- `{sid}` (new, {scale.get('kind', 'rating')}): {_cell(labels)}")
        elif was_scale != scale:
            added = [lv["label"] for lv in scale["levels"]
                     if lv["value"] not in {x["value"] for x in was_scale["levels"]}]
            what = f"adds {'; '.join(added)}" if added else "level descriptions reworded"
            scale_changes.append(f"- `{sid}`: {_cell(what)}")
    if scale_changes:
        out += ["", "Scales:", "", *scale_changes]
    out += ["", "Rated items per principle, critical component and practice area:", ""]
    cov = _coverage(new)
    if cov:
        out += ["| Tag | Rated items |", "|---|---|"]
        out += [f"| {_cell(label)} | {n} |" for label, n in cov]
    else:
        out.append("(this checklist has no principle, component or practice area tags)")
    return [*out, ""]


def main(base: str = "main") -> None:
    rev = subprocess.run(["git", "rev-parse", "--short", base], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    lines = [
        "# Checklists 3.0: what changed (issue 19)",
        "",
        f"Generated by `scripts/checklist_changes.py` from the bundled files at {base} ({rev})",
        "and the working tree. Old audits keep their stored copy of the checklist they were",
        "answered on. 'Retired' items keep no id in the new version; the column says which",
        "items now ask what they asked. '(same)' means the question is unchanged and only",
        "its guidance, scale, tags or condition changed.",
        "",
    ]
    for name in FILES:
        lines += table(name, base)
    (ROOT / "docs" / "checklists-3.0.md").write_text("\n".join(lines), "utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:2])
