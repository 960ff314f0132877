"""A labelled set for the duplicate rules: true duplicates and true namesakes in realistic data.

`labelled(n, seed)` returns rows (first_name, last_name, native_name, company, email, phone,
mobile, birthday, tags) and the truth: (row a, row b, kind, same person?) for every planted pair.

* The base is `generate.people_with_kinds(n, seed, DUPLICATE_RATE)`: German, Kazakh, Uzbek and
  Russian people at realistic organisations, with planted duplicates of its own kinds — script
  (Cyrillic in the name columns), transliteration (another Latin spelling), umlaut (Mueller for
  Müller), email-changed (a new address, the company written another way), email-same (an
  initial or another spelling with the same address), swapped (first and last name swapped) —
  each with other phone formats, a missing mobile, another position.
* Added here, true duplicates: **typo** (one letter of the surname changed), **married** (a new
  surname, the same first name and address), **middle** (a middle name joined to the first name,
  the same address, as the importer's own rule writes it), **changed-email** (the same name and
  company, a new address at the company's domain: the namesake's twin, which no rule can tell
  apart from `same-name-company`).
* Added here, true namesakes (different people): **same-name-company** (the same name at the
  same company, another address — the issue's two Alexander Schmidts), **father-son** (the same
  name and company, different birthdays), **placeholder** (`N.N.`, `TBD`, `Teilnehmer 1`, … at
  one company) and **numbered** (Test1 … Test3 Müller at one company, sometimes sharing one test
  address).

Every row carries a tag `r<row>`, so an import that merges rows (fill unites tags) shows which
rows became one contact, and a `--on-duplicate new` import maps contact ids back to rows.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import DE_LAST, ascii_slug, people_with_kinds

FIELDS = (
    "first_name", "last_name", "native_name", "company", "email", "phone", "mobile", "birthday",
    "country", "tags",
)  # fmt: skip
DUPLICATE_RATE = 0.01
# Pairs of each added kind per 10,000 base rows.
PER_10K = {
    "typo": 25, "married": 25, "middle": 25, "changed-email": 10,
    "same-name-company": 10, "father-son": 15, "placeholder": 15, "numbered": 10,
}  # fmt: skip
SAME_KINDS = ("typo", "married", "middle", "changed-email")
PLACEHOLDERS = ("N.N.", "TBD", "Teilnehmer 1", "?", "NN", "Teilnehmerin 2", "Gast")
MIDDLE = ("Maria", "Anna", "Peter", "Johann", "Richter", "Elisabeth", "Alexander", "Sophie")


def _row(first: str, last: str, company: str, email: str = "", **more: str) -> dict[str, str]:
    row = dict.fromkeys(FIELDS, "")
    row.update(first_name=first, last_name=last, company=company, email=email, **more)
    return row


def _typo(rnd: random.Random, name: str) -> str:
    """One letter of a name changed (swapped with its neighbour, or another vowel)."""
    if len(name) < 5:
        return name + name[-1]
    at = rnd.randrange(1, len(name) - 2)
    if rnd.random() < 0.5:
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    vowels = "aeiou"
    changed = rnd.choice([v for v in vowels if v != name[at].lower()])
    return name[:at] + changed + name[at + 1 :]


def labelled(
    n: int, seed: int = 0
) -> tuple[list[dict[str, str]], list[tuple[int, int, str, bool]]]:
    """Rows and the planted pairs (a, b, kind, same person); see the module docstring."""
    rnd = random.Random(f"identity-{seed}")
    rows: list[dict[str, str]] = []
    truth: list[tuple[int, int, str, bool]] = []
    originals: list[int] = []
    for index, (person, kind) in enumerate(people_with_kinds(n, seed, DUPLICATE_RATE)):
        row = _row(
            person["first_name"],
            person["last_name"],
            person["company"],
            person["email"],
            native_name=person["native_name"],
            phone=person["phone"],
            mobile=person["mobile"],
            country=person["country"],
        )
        rows.append(row)
        if person["dup_of"]:
            truth.append((int(person["dup_of"]), index, kind, True))
        else:
            originals.append(index)
    # Originals at an organisation with a domain of its own, with a Latin name, for the added kinds.
    usable = [
        i
        for i in originals
        if rows[i]["company"] and rows[i]["email"] and rows[i]["last_name"].isalpha()
    ]
    rnd.shuffle(usable)
    picks = iter(usable)

    def add(original: int, row: dict[str, str], kind: str, same: bool) -> None:
        truth.append((original, len(rows), kind, same))
        row["country"] = rows[original]["country"]
        rows.append(row)

    scale = max(1, n // 10_000)
    used: set[str] = set()  # one planted group per organisation: two would be one person
    for kind, count in PER_10K.items():
        for _ in range(count * scale):
            i = next(picks)
            while rows[i]["company"] in used:
                i = next(picks)
            used.add(rows[i]["company"])
            o = rows[i]
            domain = o["email"].rpartition("@")[2]
            first, last, company = o["first_name"], o["last_name"], o["company"]
            phone = o["phone"] if rnd.random() < 0.5 else ""
            if kind == "typo":
                add(i, _row(first, _typo(rnd, last), company, o["email"] if rnd.random() < 0.7
                            else "", phone=o["phone"]), kind, True)  # fmt: skip
            elif kind == "married":
                other = rnd.choice([x for x in DE_LAST if x != last])
                add(i, _row(first, other, company, o["email"], phone=phone), kind, True)
            elif kind == "middle":
                middle = rnd.choice([m for m in MIDDLE if m != first])
                add(i, _row(f"{first} {middle}", last, company, o["email"], phone=phone), kind,
                    True)  # fmt: skip
            elif kind == "changed-email":
                email = f"{ascii_slug(first)}.{ascii_slug(last)}.neu@{domain}"
                add(i, _row(first, last, company, email, phone=phone), kind, True)
            elif kind == "same-name-company":
                email = f"{ascii_slug(first)[:1]}.{ascii_slug(last)}2@{domain}"
                add(i, _row(first, last, company, email), kind, False)
            elif kind == "father-son":
                # The original is the father (his birthday known now); the son has his name.
                born = f"19{rnd.randrange(40, 65)}-0{rnd.randrange(1, 10)}-1{rnd.randrange(10)}"
                o["birthday"] = born
                son = _row(first, last, company, f"{ascii_slug(last)}.junior@{domain}",
                           birthday=f"19{rnd.randrange(75, 99)}-0{rnd.randrange(1, 10)}-2{rnd.randrange(10)}")  # fmt: skip  # noqa: E501
                add(i, son, kind, False)
            elif kind == "placeholder":
                rows.append(_row(rnd.choice(PLACEHOLDERS), "", company, country=o["country"]))
                add(len(rows) - 1, _row(rnd.choice(PLACEHOLDERS), "", company), kind, False)
            else:  # numbered
                # A test address of the organisation itself (never a free-mail one).
                shared = f"test@org{i}.example" if rnd.random() < 0.5 else ""
                start = len(rows)
                for number in (1, 2, 3):
                    rows.append(_row(f"Test{number}", "Müller", company, shared, country="DE"))
                truth += [
                    (start, start + 1, kind, False),
                    (start, start + 2, kind, False),
                    (start + 1, start + 2, kind, False),
                ]
    for index, row in enumerate(rows):
        row["tags"] = f"r{index}"
    return rows, truth


def clusters(truth: list[tuple[int, int, str, bool]]) -> dict[tuple[int, int], str]:
    """Every pair of rows that are one person (planted duplicates joined transitively: a
    duplicate of a duplicate is the same person too), with the kind of one planted link."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b, _, same in truth:
        if same:
            parent[root(b)] = root(a)
    members: dict[int, list[int]] = {}
    for x in list(parent):
        members.setdefault(root(x), []).append(x)
    kinds = {(min(a, b), max(a, b)): kind for a, b, kind, same in truth if same}
    pairs: dict[tuple[int, int], str] = {}
    for group in members.values():
        ordered = sorted(set(group) | {root(group[0])})
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                pairs[(a, b)] = kinds.get((a, b), "same cluster")
    return pairs
