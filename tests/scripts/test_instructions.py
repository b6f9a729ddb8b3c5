"""scripts/instructions.py's reading of callgrind's report and its arithmetic."""

from __future__ import annotations

import pytest

from tests.scripts import load_script

instructions = load_script("instructions")

REPORT = """==4242== Callgrind, a call-graph generating cache profiler
==4242== For interactive control, run 'callgrind_control -h'.
==4242==
==4242== Events    : Ir
==4242== Collected : 1006397563
==4242==
==4242== I   refs:      1,006,397,563
"""


def test_it_reads_the_total_callgrind_collected():
    assert instructions.collected(REPORT) == 1_006_397_563


@pytest.mark.parametrize(
    "report", ["", "==1== I   refs: 12\n", REPORT + "==4243== Collected : 5\n"]
)
def test_it_refuses_a_report_without_exactly_one_total(report):
    with pytest.raises(ValueError, match="one 'Collected' line"):
        instructions.collected(report)


def test_it_divides_the_difference_between_the_two_processes_by_the_requests_added():
    assert instructions.per_request(asked_once=1_000, asked_more=7_000, requests=2) == 3_000
    assert instructions.per_request(asked_once=1_000, asked_more=4_000, requests=3) == 1_000


def test_it_refuses_to_count_no_requests():
    with pytest.raises(ValueError, match="1 or more"):
        instructions.per_request(asked_once=1, asked_more=1, requests=0)
