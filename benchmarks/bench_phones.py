"""Phone reading benchmark: read_phone over every number of the import benchmark's attendee list."""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

from run import Context, Row

HERE = Path(__file__).resolve().parent
COUNTRIES = {"Deutschland": "DE", "Kasachstan": "KZ", "Usbekistan": "UZ", "Russland": "RU"}
ROUNDS = 5


def _numbers(ctx: Context) -> list[tuple[str, str]]:
    """Phone and mobile of every row of the file bench_import reads, with the row's country."""
    path = ctx.scratch / f"phones-{ctx.size}.csv"
    gen = [sys.executable, str(HERE / "generate.py"), "people", str(ctx.size), "--seed", "8"]
    ctx.run([*gen, "--format", "csv-de", "--duplicates", "0.02", "--out", str(path)])
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    return [
        (row[column], COUNTRIES[row["Land"]])
        for row in rows
        for column in ("Telefon", "Mobil")
        if row[column].strip()
    ]


def read_phones(ctx: Context) -> list[Row]:
    """CPU µs per number of read_phone (caches emptied each round), beside phonenumbers alone."""
    import phonenumbers

    from greentech_cli.text import phones

    numbers = _numbers(ctx)
    phones.read_phone("0211 98 76 54", "DE")  # metadata loaded outside the timing
    times = []
    for _ in range(ROUNDS):
        phones._slow.cache_clear()
        start = time.process_time()
        readings = [phones.read_phone(value, region) for value, region in numbers]
        times.append(time.process_time() - start)
    valid = sum(reading.valid for reading in readings)
    ours = statistics.median(times) / len(numbers) * 1e6
    start = time.process_time()
    sample = numbers[:20_000]
    for value, region in sample:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    theirs = (time.process_time() - start) / len(sample) * 1e6
    what = f"read_phone, {len(numbers):,} numbers of {ctx.size:,} rows (median of {ROUNDS})"
    return [
        Row("phones", what, f"{ours:.1f} µs CPU a number; {valid / len(numbers):.1%} valid"),
        Row("phones", "phonenumbers parse + is_valid_number + format", f"{theirs:.1f} µs CPU"),
    ]


BENCHMARKS = {"phones": read_phones}
