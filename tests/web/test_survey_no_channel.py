"""The survey's "I do not follow government news" channel is an answer only on its own."""

from __future__ import annotations

import pytest

from govsocial.store import survey as store


def test_no_channel_with_another_channel_is_refused() -> None:
    with pytest.raises(store.SurveyError):
        store.Answers(channels=[store.NO_CHANNEL, "friends_shares"]).check()


def test_no_channel_alone_and_other_channels_are_accepted() -> None:
    store.Answers(channels=[store.NO_CHANNEL]).check()
    store.Answers(channels=["friends_shares", "government_app"]).check()
