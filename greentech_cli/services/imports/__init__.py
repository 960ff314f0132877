"""Importing attendee lists: one file read, mapped, checked for duplicates and written in one
transaction; history and undo.
"""
