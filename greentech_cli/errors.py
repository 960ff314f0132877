"""Typed errors of greentech; each kind carries the exit code the CLI turns it into."""

from __future__ import annotations


class GreentechError(Exception):
    """Base of every error a user may see; the message is one clear sentence."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(GreentechError):
    """A referenced record, file or database does not exist."""


class Conflict(GreentechError):
    """The change would clash with existing data (a duplicate code, a changed record)."""


class Contended(GreentechError):
    """Another writer's change made a write transaction fail (PostgreSQL's serialization
    failure or deadlock); it was rolled back, and running it again may succeed."""


class InvalidData(GreentechError):
    """A value or a file's content is not acceptable."""


class UnreadableFile(GreentechError):
    """A file cannot be read or decoded: empty, binary, wrong encoding, too large."""


class CheckFailed(GreentechError):
    """A check found error-level problems (the findings were already shown)."""


class Aborted(GreentechError):
    """The user declined a confirmation."""


class UsageError(GreentechError):
    """The command line itself is wrong (exit code 2)."""

    exit_code = 2
