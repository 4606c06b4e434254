"""Progress and cancellation shared by the stages of one piece of work."""

from __future__ import annotations

import pytest

from portfolio.jobs import Cancelled, Job


def test_a_part_reports_within_its_share_of_the_progress():
    seen: list[tuple[float, str]] = []
    job = Job(lambda fraction, message: seen.append((round(fraction, 3), message)))
    first, second = job.part(0.0, 0.6), job.part(0.6, 1.0)
    first.step(0.5, "writing")
    first.step(1.0)
    second.step(0.5, "rendering")
    second.step(1.0, "done")
    assert seen == [(0.3, "writing"), (0.6, "writing"), (0.8, "rendering"), (1.0, "done")]


def test_cancelling_the_job_stops_every_part_and_a_part_stops_the_job():
    job = Job()
    part = job.part(0.5, 1.0)
    job.cancel()
    with pytest.raises(Cancelled):
        part.step(0.1)
    other = Job()
    other.part(0.0, 0.5).cancel()
    assert other.cancelled
