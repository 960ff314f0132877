"""SQL for after a trip: the follow-up journal, attendance, report counts, retention."""
