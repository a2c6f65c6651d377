"""Deterministic users and punches from a seed, built in bulk so 200k punches take milliseconds."""

from __future__ import annotations

from array import array
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
import random
from typing import Final

from .attlog import AttendanceColumns
from .protocol import encode_time
from .records import User

# Names from several scripts so encodings (utf-8, gbk, cp1256, latin-1 ...) get exercised.
FIRST_NAMES: Final = (
    "Ana",
    "José",
    "María",
    "Íñigo",
    "Begoña",
    "Zoë",
    "François",
    "Jürgen",
    "Søren",
    "John",
    "Amina",
    "Wei",
    "伟",
    "娜",
    "秀英",
    "敏",
    "静",
    "محمد",
    "فاطمة",
    "أحمد",
    "ليلى",
    "Olga",
    "Priya",
    "Kenji",
)
LAST_NAMES: Final = (
    "García",
    "Muñoz",
    "Peña",
    "Ibáñez",
    "Smith",
    "Müller",
    "Dubois",
    "Ørsted",
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "العلي",
    "حسن",
    "Okafor",
    "Tanaka",
    "Novák",
)
# How people prove identity at the terminal, weighted like a fingerprint+face site:
# 1 fingerprint, 15 face, 4 card, 0 password.
VERIFY_WEIGHTS: Final = ((1, 60), (15, 25), (4, 10), (0, 5))
WORKDAY_START: Final = time(7, 0)
WORKDAY_SECONDS: Final = 12 * 3600


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _same_script(first: str, last: str) -> bool:
    # Avoid mixing Arabic with Han in one name; anything else may mix.
    def script(text: str) -> str:
        if any("\u0600" <= ch <= "\u06ff" for ch in text):
            return "arabic"
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return "han"
        return "latin"

    return script(first) == script(last)


def name_pool(encoding: str) -> list[str]:
    """Every generated full name the device encoding can represent."""
    names: list[str] = []
    for first in FIRST_NAMES:
        for last in LAST_NAMES:
            if not _same_script(first, last):
                continue
            han = "\u4e00" <= last[0] <= "\u9fff"
            full = f"{last}{first}" if han else f"{first} {last}"
            if _encodable(full, encoding):
                names.append(full)
    return names


def generate_users(
    rng: random.Random,
    count: int,
    *,
    encoding: str = "utf-8",
    first_uid: int = 1,
    exclude_pins: Collection[str] = (),
) -> list[User]:
    """count users with unique uids from first_uid and unique numeric PINs not excluded."""
    if count <= 0:
        return []
    names = name_pool(encoding)
    excluded = set(exclude_pins)
    candidates = rng.sample(
        range(1, max(100_000, (count + len(excluded)) * 10)), count + len(excluded)
    )
    pins = sorted(pin for pin in candidates if str(pin) not in excluded)[:count]
    users: list[User] = []
    for index, pin in enumerate(pins):
        uid = first_uid + index
        users.append(
            User(
                uid=uid,
                user_id=str(pin),
                name=rng.choice(names) if names else f"User {uid}",
                # The first user administers the terminal, like a freshly set-up site.
                privilege=14 if index == 0 else 0,
                password=str(rng.randrange(1000, 9999)) if rng.random() < 0.1 else "",
                group_id="1",
                card=rng.randrange(1_000_000, 16_777_215) if rng.random() < 0.3 else 0,
            )
        )
    return users


def generate_attendance(
    rng: random.Random, users: list[User], count: int, last_day: date
) -> AttendanceColumns:
    """count punches by users over whole workdays ending on last_day, oldest first.

    Each day has room for every user to check in (morning, punch 0) and out (afternoon,
    punch 1); who punches in each slot is drawn at random.
    """
    columns = AttendanceColumns()
    if count <= 0 or not users:
        return columns
    per_day = min(count, 2 * len(users))
    days = -(-count // per_day)
    first_day = last_day - timedelta(days=days - 1)
    day_starts = [
        encode_time(datetime.combine(first_day + timedelta(days=d), WORKDAY_START))
        for d in range(days)
    ]
    # Slot times within a day: evenly spread over the workday, each nudged forward a little.
    spread = max(1, WORKDAY_SECONDS // per_day)
    slot_offsets = [
        (slot * WORKDAY_SECONDS) // per_day + rng.randrange(spread) for slot in range(per_day)
    ]
    day_shifts = [rng.randrange(60) for _ in range(days)]
    times = [
        start + shift + offset
        for start, shift in zip(day_starts, day_shifts, strict=True)
        for offset in slot_offsets
    ]
    del times[count:]
    half = per_day // 2
    day_punches = bytes(0 if slot < half else 1 for slot in range(per_day))
    punches = (day_punches * days)[:count]
    picks = rng.choices(range(len(users)), k=count)
    columns.uids = array("H", [users[i].uid for i in picks])
    columns.user_ids = [users[i].user_id for i in picks]
    columns.times = array("I", times)
    columns.verifies = bytearray(rng.randbytes(count).translate(_verify_table()))
    columns.punches = bytearray(punches)
    return columns


def _verify_table() -> bytes:
    # Maps a uniform random byte onto VERIFY_WEIGHTS (weights sum to 100, scaled to 256).
    table = bytearray()
    total = sum(weight for _, weight in VERIFY_WEIGHTS)
    for verify, weight in VERIFY_WEIGHTS:
        table.extend([verify] * (256 * weight // total))
    table.extend([VERIFY_WEIGHTS[0][0]] * (256 - len(table)))
    return bytes(table)
