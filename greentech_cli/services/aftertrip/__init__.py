"""After the trip: the follow-up journal, attendance, the funder's report and retention."""
