"""Normalisers: what people type made comparable and storable (names, phones, emails, countries,
dates, search keys).
"""
