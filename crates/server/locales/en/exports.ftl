# Columns of the Today and Lost lists' downloads (issue 24 item 7).
col-last-purchase = Last purchase
col-days-since-last = Days since last purchase
col-contact = Contact (consented channel only)
