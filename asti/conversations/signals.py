"""A follow-up that holds a guardian's reply opens a thread (messaging does not know about threads)."""

from __future__ import annotations

from typing import Any

from asti.messaging.models import FollowUp


def follow_up_saved(sender: type[FollowUp], instance: FollowUp, created: bool, **kwargs: Any) -> None:
    if created and instance.inbound_id is not None:
        from asti.conversations.services import thread_from_reply

        thread_from_reply(follow_up=instance)
