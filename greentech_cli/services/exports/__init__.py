"""Contact and company sheets written for their readers, respecting consent."""
