"""Keeping the file safe and lawful: backup and restore, the doctor's checks, privacy report and
erasure.
"""
