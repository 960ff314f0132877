"""The same person or organisation: matching names across scripts, duplicate candidates, dedupe and
merge.
"""
