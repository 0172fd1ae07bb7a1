"""Checklist definitions: the bundled files, strict validation with file/line/field, fuzzing."""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_tool.checklists.loader import (
    LoadedChecklist,
    available,
    bundled,
    load_file,
    parse,
    sha256_text,
    user_defined,
)
from audit_tool.errors import ChecklistError

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini.toml"
BUNDLED_FILES = sorted((ROOT / "checklists").glob("*.toml"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _by_id() -> dict[str, LoadedChecklist]:
    return {c.id: c for c in bundled()}


def _tag_counts(c: LoadedChecklist) -> Counter:
    return Counter(tag for _, item in c.definition.items() for tag in item.tags)


# -- the bundled checklists -------------------------------------------------------------------


def test_there_are_three_bundled_checklists():
    assert len(BUNDLED_FILES) >= 3
    assert set(_by_id()) >= {
        "safe-together-case-file-audit",
        "gendered-drug-alcohol-death-review",
        "thematic-perpetrators-as-parents",
    }


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda p: p.name)
def test_every_bundled_file_validates(path):
    c = load_file(path, origin="bundled")
    d = c.definition
    assert c.sha256 == sha256_text(path.read_text("utf-8"))
    assert d.item_count() == sum(len(t.items) for t in d.themes) > 0
    for _, item in d.items():
        assert item.question.strip() and item.guidance.strip(), item.id
        scale = d.scale_of(item)
        assert scale.is_fact or scale.meets_standard, item.id  # a rating scale can be met
    assert set(d.audit_types) <= {
        "case_file_audit",
        "thematic_review",
        "multi_agency_review",
        "drug_alcohol_death_review",
        "moderation",
    }


def test_safe_together_coverage():
    c = _by_id()["safe-together-case-file-audit"]
    d = c.definition
    assert d.item_count() >= 30
    counts = _tag_counts(c)
    groups = {
        kind: [t for t, tag in d.tags.items() if tag.kind == kind]
        for kind in ("principle", "component", "practice_area")
    }
    assert len(groups["principle"]) == 3
    assert len(groups["component"]) == 5
    assert len(groups["practice_area"]) == 4
    for prefix in ("principle-", "component-", "practice-"):
        tags = [t for t in d.tags if t.startswith(prefix)]
        assert tags, prefix
        for tag in tags:
            assert counts[tag] >= 3, f"{tag} is on only {counts[tag]} item(s)"


def test_safe_together_baseline_reverse_items():
    d = _by_id()["safe-together-case-file-audit"].definition
    baseline_tags = [t for t, tag in d.tags.items() if tag.kind == "baseline"]
    # 3.0 (issue 19): two patterns are now rated once, positively: single incidents at co-01,
    # contact risk after separation at pl-05; their reverse items and tags were retired.
    assert sorted(baseline_tags) == ["baseline-separation", "baseline-survivor-burden"]
    assert "recent assault or call-out" in d.item("co-01").guidance
    assert "Where separation was encouraged" in d.item("pl-05").guidance
    for tag in baseline_tags:
        items = [item for _, item in d.items() if tag in item.tags]
        assert items, f"no item for {tag}"
        for item in items:
            scale = d.scale_of(item)
            assert scale.meets("no") is True, f"{item.id}: 'no' should meet the standard"
            assert scale.meets("yes") is False
            assert scale.meets("na") is None


def test_death_review_coverage():
    c = _by_id()["gendered-drug-alcohol-death-review"]
    d = c.definition
    assert d.item_count() >= 30
    facts = {t for t, tag in d.tags.items() if t.startswith("fact-")}
    assert len(facts) == 7
    assert all(d.tags[t].kind == "fact_group" for t in facts)
    counts = _tag_counts(c)
    for tag in facts:
        assert counts[tag] >= 1, tag
    assert "drug_alcohol_death_review" in d.audit_types


def test_thematic_review_coverage():
    d = _by_id()["thematic-perpetrators-as-parents"].definition
    assert d.item_count() >= 12
    assert "thematic_review" in d.audit_types


def test_user_checklists_join_but_cannot_shadow(tmp_path):
    good = MINI.read_text("utf-8")
    (tmp_path / "local.toml").write_text(good, "utf-8")
    (tmp_path / "shadow.toml").write_text(
        good.replace('id = "mini-test"', 'id = "safe-together-case-file-audit"'), "utf-8"
    )
    (tmp_path / "broken.toml").write_text("id = ", "utf-8")
    items, problems = available(tmp_path)
    ids = [c.id for c in items]
    assert ids.count("safe-together-case-file-audit") == 1
    assert "mini-test" in ids
    assert len(problems) == 2
    assert any("broken.toml" in p and "line 1" in p for p in problems)
    assert any("shadow.toml" in p and "already in use" in p for p in problems)
    found, _ = user_defined(tmp_path)
    assert {c.origin for c in found} == {"user"}


# -- invalid files: file, line and field named ------------------------------------------------------


def _line_number(text: str, needle: str, occurrence: int = 0) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence]


def _error(text: str, tmp_path: Path, name: str = "local.toml") -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    with pytest.raises(ChecklistError) as exc:
        load_file(path)
    msg = str(exc.value)
    assert str(path) in msg, msg
    assert "\n" not in msg
    return msg


def test_wrong_scale_on_the_second_item(tmp_path):
    src = MINI.read_text("utf-8")
    bad = src.replace(
        'scale = "evidence"\ntags = ["component-1"]', 'scale = "evidnce"\ntags = ["component-1"]'
    )
    assert bad != src
    msg = _error(bad, tmp_path)
    assert "themes[0].items[1].scale" in msg
    line = _line_number(bad, 'scale = "evidnce"')
    assert f"line {line}:" in msg
    assert "evidnce" in msg and "quality, evidence" in msg


def test_unknown_key_names_field_and_line(tmp_path):
    src = MINI.read_text("utf-8")
    bad = src.replace('id = "q1"\n', 'id = "q1"\nqestion = "typo"\n')
    msg = _error(bad, tmp_path)
    assert f"line {_line_number(bad, 'qestion')}: themes[1].items[0]: unknown key 'qestion'" in msg
    assert "(did you mean 'question'?)" in msg


def test_unknown_top_level_key(tmp_path):
    bad = MINI.read_text("utf-8").replace("purpose = ", 'purpos = "x"\npurpose = ')
    msg = _error(bad, tmp_path)
    assert msg.endswith(
        f"line {_line_number(bad, 'purpos =')}: unknown key 'purpos' (did you mean 'purpose'?)"
    )


@pytest.mark.parametrize(
    ("typo", "old", "where", "suggestion"),
    [
        ("lable", '{ value = "yes", label = "Yes"', "scales.evidence.levels[0]", "label"),
        ("iten", 'show_when = { item = "p2"', "themes[0].items[2].show_when", "item"),
        ("knd", 'kind = "principle"', "tags.principle-1", "kind"),
        ("titel", 'title = "Evidence scale"', "scales.evidence", "title"),
    ],
)
def test_unknown_key_in_nested_tables_suggests_the_right_key(tmp_path, typo, old, where, suggestion):
    src = MINI.read_text("utf-8")
    assert old in src
    bad = src.replace(old, old.replace(f"{suggestion} =", f"{typo} ="), 1)
    assert bad != src
    msg = _error(bad, tmp_path)
    assert f": {where}: unknown key '{typo}' (did you mean '{suggestion}'?)" in msg, msg


@pytest.mark.parametrize(
    ("old", "new", "field", "line_of"),
    [
        (
            'tags = ["component-1"]',
            'tags = ["component-9"]',
            "themes[0].items[1].tags",
            'tags = ["component-9"]',
        ),
        (
            'any_of = ["yes", "partly"]',
            'any_of = ["maybe"]',
            "themes[0].items[2].show_when.any_of",
            "maybe",
        ),
        (
            'show_when = { item = "p2"',
            'show_when = { item = "q1"',
            "themes[0].items[2].show_when.item",
            'item = "q1"',
        ),
        ('id = "q1"', 'id = "p1"', "themes[1].items[0].id", 'id = "p1"#1'),
        ('id = "planning"', 'id = "pattern"', "themes[1].id", 'id = "pattern"#1'),
        ('version = "1.0"', 'version = "one"', "version", 'version = "one"'),
        (
            'meets_standard = ["yes"]',
            'meets_standard = ["si"]',
            "scales.evidence",
            "[scales.evidence]",
        ),
        (
            'scale = "quality"\ntags = ["principle-1", "component-1"]',
            'scale = "quality"\nrequired = "maybe"\ntags = ["principle-1", "component-1"]',
            "themes[0].items[0].required",
            'required = "maybe"',
        ),
    ],
)
def test_invalid_fields_are_named(tmp_path, old, new, field, line_of):
    src = MINI.read_text("utf-8")
    assert old in src
    bad = src.replace(old, new, 1)
    msg = _error(bad, tmp_path)
    needle, _, nth = line_of.partition("#")
    assert f"line {_line_number(bad, needle, int(nth or 0))}: {field}" in msg, msg


def test_missing_field_names_the_item(tmp_path):
    bad = MINI.read_text("utf-8").replace('guidance = "Plans name his responsibilities."\n', "")
    msg = _error(bad, tmp_path)
    assert "themes[1].items[0].guidance" in msg and "Field required" in msg
    header = _line_number(bad, 'id = "q1"') - 1  # the item's [[themes.items]]
    assert f"line {header}:" in msg


def test_toml_syntax_error_names_the_line(tmp_path):
    src = MINI.read_text("utf-8")
    bad = src.replace('[[themes.items]]\nid = "p2"', '[[themes.items]\nid = "p2"')
    msg = _error(bad, tmp_path)
    assert "not valid TOML" in msg
    broken = _line_number(bad, 'id = "p2"') - 1
    assert bad.splitlines()[broken - 1] == "[[themes.items]"
    assert f"at line {broken}," in msg


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(
        MINI.read_bytes().replace(b"Mini test checklist", "Liosta bheag àite".encode("latin-1"))
    )
    with pytest.raises(ChecklistError) as exc:
        load_file(path)
    assert str(exc.value) == f"{path}: line 3: not UTF-8 text"


def test_missing_and_oversized_files(tmp_path):
    with pytest.raises(ChecklistError, match="file not found"):
        load_file(tmp_path / "nope.toml")
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * 2_000_001)
    with pytest.raises(ChecklistError, match="larger than"):
        load_file(big)
    with pytest.raises(ChecklistError, match="cannot be read"):
        load_file(tmp_path)  # a folder


def test_yaml_object_payload_executes_nothing(tmp_path):
    marker = tmp_path / "pwned"
    payloads = [
        f'!!python/object/apply:os.system ["touch {marker}"]',
        f"!!python/object/new:subprocess.Popen [[touch, {marker}]]",
        f'id: !!python/object/apply:os.system ["touch {marker}"]\n',
        f'--- !ruby/object:Gem::Installer\ni: "touch {marker}"\n',
        f'id = "x"\n[scales.q]\ntitle = !!python/object/apply:os.system ["touch {marker}"]\n',
    ]
    for i, payload in enumerate(payloads):
        msg = _error(payload, tmp_path, f"payload{i}.toml")
        assert "not valid TOML" in msg
    assert not marker.exists()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01",
        "id = 1",
        "[[themes]]",
        "themes = 3",
        'id = "x"\nid = "y"',
        "a = " + "[" * 3000,
        "a = " + "[" * 3000 + "]" * 3000,
        "a = " + "{b = " * 2000 + "1" + "}" * 2000,
        "scales = {}\n" * 2,
    ],
    ids=lambda t: repr(t[:20]),
)
def test_garbage_is_refused(text):
    with pytest.raises(ChecklistError):
        parse(text, "garbage.toml")


# -- fuzzing: never anything but a checklist or ChecklistError ---------------------------------------


def _parse_or_error(text: str) -> None:
    try:
        result = parse(text, "fuzz.toml")
    except ChecklistError as exc:
        assert str(exc).startswith("fuzz.toml")
        return
    assert isinstance(result, LoadedChecklist)


@FUZZ
@given(st.text(max_size=400))
def test_fuzz_arbitrary_text(text):
    _parse_or_error(text)


_TOMLISH = st.text(
    alphabet=st.sampled_from(list("[]{}=\",.\n #abcdefghijklmnopqrstuvwxyz0123456789_-'")),
    max_size=300,
)


@FUZZ
@given(_TOMLISH)
def test_fuzz_toml_like_text(text):
    _parse_or_error(text)


@FUZZ
@given(st.binary(max_size=600))
def test_fuzz_arbitrary_bytes_from_a_file(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        path.write_bytes(data)
        try:
            result = load_file(path)
        except ChecklistError as exc:
            assert str(exc).startswith(str(path))
            return
        assert isinstance(result, LoadedChecklist)


_SOURCES = [MINI.read_text("utf-8")] + [p.read_text("utf-8") for p in BUNDLED_FILES]


@FUZZ
@given(st.sampled_from(_SOURCES), st.data())
def test_fuzz_delete_a_line(source, data):
    lines = source.splitlines(keepends=True)
    i = data.draw(st.integers(0, len(lines) - 1))
    _parse_or_error("".join(lines[:i] + lines[i + 1 :]))


@FUZZ
@given(st.sampled_from(_SOURCES), st.data())
def test_fuzz_mutate_a_valid_file(source, data):
    lines = source.splitlines(keepends=True)
    op = data.draw(st.sampled_from(["dup", "swap", "cut", "replace", "truncate"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(0, len(lines) - 1))
    if op == "dup":
        lines.insert(j, lines[i])
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "cut":
        del lines[min(i, j) : max(i, j) + 1]
    elif op == "replace":
        lines[i] = data.draw(_TOMLISH) + "\n"
    text = "".join(lines)
    if op == "truncate":
        text = text[: data.draw(st.integers(0, len(text)))]
    _parse_or_error(text)


def test_error_lines_point_at_real_lines():
    """Every error the loader reports for a one-line deletion names a line inside the file."""
    src = MINI.read_text("utf-8")
    lines = src.splitlines(keepends=True)
    for i in range(len(lines)):
        text = "".join(lines[:i] + lines[i + 1 :])
        try:
            parse(text, "mini.toml")
        except ChecklistError as exc:
            m = re.search(r"line (\d+)", str(exc))
            if m:
                assert 1 <= int(m.group(1)) <= len(text.splitlines()) + 1, str(exc)
