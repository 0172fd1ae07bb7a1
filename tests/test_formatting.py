"""One rule for how shares, dates and report formats read (issue 16, item 5)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pytest

from audit_tool.errors import InvalidInput
from audit_tool.export import check_format
from audit_tool.formatting import (
    NO_VALUE,
    day,
    local_datetime,
    long_date,
    percent,
    percent_interval,
)


def test_a_share_reads_as_a_whole_percent_and_no_share_as_the_one_dash():
    assert percent(0.473) == "47%"
    assert percent(1.0) == "100%"
    assert percent(0.0) == "0%"
    assert percent(None) == NO_VALUE == "—"
    assert percent_interval(0.48, 0.634) == "48–63%"


def test_dates_read_the_same_wherever_they_are_shown():
    assert day("2026-12-07T14:05:09+00:00") == "2026-12-07"
    assert day(None) == day("") == "—"
    assert long_date(date(2026, 12, 7)) == long_date(datetime(2026, 12, 7, 9)) == "7 December 2026"
    local = datetime(2026, 3, 4, 5, 6, 7).astimezone()
    stamp = local.isoformat()
    assert local_datetime(stamp) == "04 Mar 2026 05:06"
    assert local_datetime(stamp, seconds=True) == "04 Mar 2026 05:06:07"
    assert local_datetime(stamp, joiner=" at ") == "04 Mar 2026 at 05:06"
    assert local_datetime("not a time") == "not a time"  # shown as it is, never an error


def test_one_report_format_check_with_one_message():
    assert check_format("PDF") == "pdf" and check_format("docx") == "docx"
    with pytest.raises(InvalidInput, match=r"^Unknown format 'ods': use pdf or docx\.$"):
        check_format("ODS")


def test_the_small_number_rules_load_without_the_database():
    code = (
        "import sys, audit_tool.disclosure.rules; "
        "print(any(m.startswith(('audit_tool.store', 'sqlcipher3')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
