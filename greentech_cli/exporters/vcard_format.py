"""The vcf export format: the registry's entry for the vCard writer in ``exporters/vcf.py``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from .registry import ExportJob


def write_vcf(records: Iterable[dict[str, Any]], out: TextIO, job: ExportJob) -> int:
    """Every contact as a vCard of the job's version (CRLF, folded at 75 octets)."""
    from .vcf import write_vcards

    return write_vcards(records, out, job.vcard_version)
