"""SQL for what happens after a trip: the follow-up journal, attendance, report counts, retention."""
