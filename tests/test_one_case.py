"""One case file, one record (issue 17 item 4): a reference is recognised however it is
typed, in the same area, by new case and by sampling. Synthetic, clearly fictional data."""

from __future__ import annotations

import pytest

from audit_tool import audits
from audit_tool.cases import find_case
from audit_tool.errors import InvalidInput

AREA = "Glenmorven (fictional)"


@pytest.mark.parametrize("typed", ["sw 2026 0417", "SW-2026-0417", "Sw.2026.0417", "ＳＷ／２０２６／０４１７"])
def test_a_reference_typed_another_way_is_the_same_case(db, typed):
    first = audits.add_case(db, "SW/2026/0417", AREA)
    with pytest.raises(InvalidInput) as exc:
        audits.add_case(db, typed, AREA)
    assert first.id in str(exc.value) and "\n" not in str(exc.value)
    assert [c.id for c in audits.list_cases(db)] == [first.id]
    assert find_case(db, typed, AREA).id == first.id
    # another area's file of the same number is another case
    other = audits.add_case(db, typed, "Kilbrannan (fictional)")
    assert other.id != first.id


def test_cli_case_add_names_the_existing_case(db_path, cli):
    assert cli("--db", db_path, "init").returncode == 0
    r = cli("--db", db_path, "case", "add", "--ref", "SW/2026/0417", "--area", AREA)
    assert r.returncode == 0, r
    first = r.stdout.strip()
    r = cli("--db", db_path, "case", "add", "--ref", "sw 2026 0417", "--area", AREA)
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1 and first in r.stderr, r


def test_sampling_takes_the_existing_case(db, mini, tmp_path):
    from audit_tool.sampling import Columns, create_sample, draw, eligible_files, read_case_list

    existing = audits.add_case(db, "SW/2026/0417", AREA)
    listing = tmp_path / "list.csv"
    listing.write_text(
        "ref,area\n" + "".join(f"sw 2026 {417 + i:04d},{AREA}\n" for i in range(6)),
        encoding="utf-8",
    )
    caselist = read_case_list(listing)
    cols = Columns(reference="ref", area="area")
    elig = eligible_files(caselist, cols)
    made = create_sample(db, caselist, cols, elig, draw(elig, 6, 1), mini)
    assert existing.id in made.case_ids
    assert len(audits.list_cases(db)) == 6  # five new, and the one already here
