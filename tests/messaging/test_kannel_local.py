from asti.messaging.kannel_local import Backoff


def test_a_box_that_keeps_dying_waits_longer_and_one_that_ran_starts_at_once() -> None:
    backoff = Backoff(first=0.5, longest=10.0, stable_after=30.0)
    assert [backoff.next(ran_for=1.0) for _ in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff.next(ran_for=45.0) == 0.5
    assert backoff.next(ran_for=0.2) == 1.0
