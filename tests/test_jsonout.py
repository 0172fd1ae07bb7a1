"""Every documented `--json` shape, built from a real demo database through the command line,
has exactly the keys docs/cli-json.md declares (issue 16, item 5).

The shapes are built by hand in audit_tool/jsonout.py; renaming a field of a core dataclass
must not rename a documented key, and a key added or dropped must be added to or dropped
from the document. The document's shapes are read as written: a ```json block or an inline
`[{"key", "key": ...}]`; a nested object is checked where the document spells it out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyrage
import pytest

from audit_tool import audits, demo, moderation
from audit_tool.cli import main
from audit_tool.disclosure.register import record_release
from audit_tool.exchange import export_bundle, import_bundle, read_bundle
from audit_tool.filters import AuditFilter
from audit_tool.selection import list_audits
from audit_tool.store import Database

PASSPHRASE = "fictional tartan kettle harbour"
DOC = Path(__file__).resolve().parent.parent / "docs" / "cli-json.md"
ST = "safe-together-case-file-audit"
RECORD_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")  # keys of a record; other objects are maps


# -- reading the document -----------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return re.findall(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', text)


def _parse(tokens: list[str], i: int = 0):
    """(shape, next index): a dict of key -> shape for an object, a one-element list for an
    array (its first object or array element), None for anything else."""
    tok = tokens[i]
    if tok == "{":
        out: dict[str, object] = {}
        i += 1
        while tokens[i] != "}":
            key = json.loads(tokens[i])
            i += 1
            shape = None
            if tokens[i] == ":":
                shape, i = _parse(tokens, i + 1)
            out[key] = shape
            if tokens[i] == ",":
                i += 1
        return out, i + 1
    if tok == "[":
        first = None
        i += 1
        while tokens[i] != "]":
            shape, i = _parse(tokens, i)
            if first is None and shape is not None:
                first = shape
            if tokens[i] == ",":
                i += 1
        return [first], i + 1
    return None, i + 1


def documented() -> dict[str, object]:
    """'audit-tool audit show AUDIT_ID --json' -> its declared shape."""
    out = {}
    for section in re.split(r"^## ", DOC.read_text("utf-8"), flags=re.M)[1:]:
        title, body = section.split("\n", 1)
        block = re.search(r"```json\n(.*?)```", body, re.S)
        text = block.group(1) if block else re.search(r"`(\[?\{.*?)`", body, re.S).group(1)
        shape, _ = _parse(_tokens(text))
        if body.lstrip().startswith("A list of") and not isinstance(shape, list):
            shape = [shape]  # "A list of:" and one element's shape
        out[title.strip().strip("`")] = shape
    return out


def _check(actual, shape, where: str, seen: set[str]) -> None:
    """Assert `actual` has the keys `shape` declares; note each declared object met."""
    if shape is None or actual is None:
        return
    if isinstance(shape, list):
        assert isinstance(actual, list), f"{where}: a list in the document, {type(actual).__name__} here"
        for n, element in enumerate(actual):
            _check(element, shape[0], f"{where}[{n}]", seen)
        return
    if not all(RECORD_KEY.match(k) for k in shape):
        return  # a map (stratum -> counts, reason -> count): its keys are data
    assert isinstance(actual, dict), f"{where}: an object in the document, {type(actual).__name__} here"
    assert set(actual) == set(shape), (
        f"{where}: not in the document: {sorted(set(actual) - set(shape))}; "
        f"documented but missing: {sorted(set(shape) - set(actual))}"
    )
    seen.add(re.sub(r"\[\d+\]", "[]", where))
    for key, sub in shape.items():
        _check(actual[key], sub, f"{where}.{key}", seen)


def _declared(shape, where: str) -> set[str]:
    """The paths of every record the document declares, as _check notes them."""
    if isinstance(shape, list):
        return _declared(shape[0], where + "[]") if shape[0] is not None else set()
    if not isinstance(shape, dict) or not all(RECORD_KEY.match(k) for k in shape):
        return set()
    out = {where}
    for key, sub in shape.items():
        out |= _declared(sub, f"{where}.{key}")
    return out


# -- a demo database with something in every shape ----------------------------------------------


def _copy_answers(db: Database, source: str, target: str) -> None:
    """Answer `target` as `source` was answered, question by question in checklist order."""
    original = audits.get_audit(db, source)
    for theme in original.checklist.definition.themes:
        for item in theme.items:
            ans = original.answers.get(item.id)
            if ans is not None and ans.rating is not None:
                audits.answer(db, target, item.id, ans.rating, ans.note)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, cli):
    folder = tmp_path_factory.mktemp("jsonout")
    path = folder / "demo.db"
    db = Database.create(path, PASSPHRASE)
    demo.generate(db, 60, seed=16)
    done = [  # readings only: which demo audits are moderations follows the random data
        r for r in list_audits(db, AuditFilter(checklist_id=ST, status="finalised"))
        if r.audit_type != "moderation"
    ]
    reader = moderation.reviewer_named(db, "Fictional second reader (demo)")
    seconds = []
    for row in done[:6]:  # six double-read files: enough for every agreement figure
        second = moderation.start_second_reading(db, row.id, reader.id)
        _copy_answers(db, row.id, second)
        audits.finalise(db, second)
        seconds.append((row.id, second))
    mod_id = moderation.start_moderation(db, list(seconds[0]), None)
    with_rec = next(r.id for r in done[6:] if audits.get_audit(db, r.id).recommendations)
    audits.amend(db, with_rec, "Fictional: evidence re-read")

    # a conflict: the same draft changed here and on another laptop
    ident = pyrage.x25519.Identity.generate()
    secret, public = str(ident), str(ident.to_public())
    other = Database.create(folder / "other.db", PASSPHRASE)
    export_bundle(db, folder / "all.age", recipients=[public])
    import_bundle(other, read_bundle(folder / "all.age", identities=[secret]))
    draft = audits.get_audit(db, with_rec)
    first = draft.checklist.definition.themes[0].items[0]
    levels = [lv.value for lv in draft.checklist.definition.scale_of(first).ordered_levels()]
    audits.answer(db, with_rec, first.id, levels[0], "Fictional: this laptop's reading")
    audits.answer(other, with_rec, first.id, levels[-1], "Fictional: the other laptop's reading")
    export_bundle(other, folder / "back.age", recipients=[public])
    import_bundle(db, read_bundle(folder / "back.age", identities=[secret]))
    other.close()
    # one release in the register, for `releases --json`
    record_release(db, [r.id for r in done], kind="report", selection="fictional selection",
                   recipient="Steering group (fictional)", who="Demo reviewer")
    db.close()

    caselist = folder / "case list.csv"
    caselist.write_text(
        "Ref,Area,Agency,Team,Stratum\n"
        + "".join(
            f"FICT-JSON-{n:03d},Glenmorven (demo),Justice (demo),Team {n % 2},S{n % 3}\n"
            for n in range(1, 13)
        )
        + ",Glenmorven (demo),Justice (demo),Team 1,S1\n",  # no reference: an exclusion
        "utf-8",
    )
    ok = cli(
        "--db", path, "sample", "draw", "--list", caselist, "--ref-column", "Ref",
        "--area-column", "Area", "--agency-column", "Agency", "--team-column", "Team",
        "--strata", "Stratum", "--size", "6", "--seed", "16", "--checklist", ST,
    )
    assert ok.returncode == 0, ok
    return path, {"AUDIT_ID": with_rec, "MODERATION_ID": mod_id}


def _json(path: Path, argv: list[str], capsys, monkeypatch):
    monkeypatch.setenv("AUDIT_TOOL_PASSPHRASE", PASSPHRASE)
    capsys.readouterr()
    assert main(["--db", str(path), *argv]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("title", sorted(documented()))
def test_each_documented_shape_has_the_documented_keys(demo_db, title, capsys, monkeypatch):
    path, ids = demo_db
    shape = documented()[title]
    argv = [ids.get(word, word) for word in title.split()[1:]]
    data = _json(path, argv, capsys, monkeypatch)
    seen: set[str] = set()
    _check(data, shape, "", seen)
    # every object the document spells out was met in the demo data, so none went unchecked
    assert _declared(shape, "") <= seen, sorted(_declared(shape, "") - seen)


def test_every_json_command_is_documented():
    """A --json option on a command the document does not describe is an undocumented shape."""
    from audit_tool.cli import build_parser

    def commands(parser, prefix):
        for action in parser._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for name, sub in action.choices.items():
                    yield from commands(sub, [*prefix, name])
        if any("--json" in a.option_strings for a in parser._actions):
            yield " ".join(prefix)

    with_json = set(commands(build_parser(), ["audit-tool"]))
    in_doc = {re.sub(r" [A-Z_]+(?= --json)", "", t).removesuffix(" --json") for t in documented()}
    assert with_json == in_doc
