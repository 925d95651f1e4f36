"""Reps: registering, changing settings, removing; their zone becomes the acting zone."""

from __future__ import annotations

import pytest

from store import Store
from tools.context import open_context
from tools.errors import InvalidArgument, NotFound
from tools.users import add_user, get_user, list_users, remove_user, user_by_telegram_id


def test_add_with_defaults_and_list_sorted(store: Store) -> None:
    add_user(store, "sam")
    add_user(store, "kim", timezone="Europe/Berlin", telegram_id=111, digest_time="7:05")
    listed = list_users(store)
    assert [(u.name, u.timezone, u.telegram_id, u.digest_time) for u in listed] == [
        ("kim", "Europe/Berlin", 111, "07:05"),
        ("sam", "UTC", None, "08:00"),
    ]


def test_add_again_updates_only_what_is_given(store: Store) -> None:
    add_user(store, "kim", timezone="Europe/Berlin", telegram_id=111)
    add_user(store, "kim", digest_time="09:30")
    u = get_user(store, "kim")
    assert u is not None and (u.timezone, u.telegram_id, u.digest_time) == ("Europe/Berlin", 111, "09:30")
    assert len(list_users(store)) == 1


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"timezone": "Mars/Olympus"}, "Unknown timezone"),
        ({"digest_time": "25:00"}, "HH:MM"),
        ({"digest_time": "8am"}, "HH:MM"),
    ],
)
def test_bad_settings_are_refused(store: Store, kw: dict, says: str) -> None:
    with pytest.raises(InvalidArgument, match=says):
        add_user(store, "kim", **kw)
    assert get_user(store, "kim") is None


def test_a_name_is_needed(store: Store) -> None:
    with pytest.raises(InvalidArgument):
        add_user(store, "  ")


def test_a_telegram_id_belongs_to_one_rep(store: Store) -> None:
    add_user(store, "kim", telegram_id=111)
    with pytest.raises(InvalidArgument, match="kim"):
        add_user(store, "sam", telegram_id=111)
    assert user_by_telegram_id(store, 111).name == "kim"
    assert user_by_telegram_id(store, 222) is None


def test_remove(store: Store) -> None:
    add_user(store, "kim", telegram_id=111)
    remove_user(store, "kim")
    assert list_users(store) == [] and user_by_telegram_id(store, 111) is None
    with pytest.raises(NotFound, match="kim"):
        remove_user(store, "kim")


def test_a_registered_zone_wins_over_the_fallback(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_TZ", raising=False)
    add_user(store, "kim", timezone="Asia/Tokyo")
    kim = open_context(user="kim", tz="America/New_York", now="2026-03-04T20:00:00+00:00", store=store)
    assert str(kim.tz) == "Asia/Tokyo"
    assert kim.today().isoformat() == "2026-03-05"  # already Thursday in Tokyo
    other = open_context(user="lee", tz="America/New_York", now="2026-03-04T20:00:00+00:00", store=store)
    assert str(other.tz) == "America/New_York"


def test_a_naive_now_is_in_the_users_zone(store: Store) -> None:
    ctx = open_context(user="lee", tz="Europe/Berlin", now="2026-03-04T09:00", store=store)
    assert ctx.now().utcoffset().total_seconds() == 3600
    with pytest.raises(InvalidArgument, match="--now"):
        open_context(user="lee", tz="UTC", now="yesterday-ish", store=store)
    with pytest.raises(InvalidArgument, match="timezone"):
        open_context(user="lee", tz="Nowhere/Land", store=store)
