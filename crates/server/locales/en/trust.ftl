## Issue 24: figures to trust. Value at stake has one meaning on every page: the lifetime
## value over the snapshot's horizon expected to be lost if the customer is gone.
col-value-at-stake-over = Value at stake, next { $horizon }
col-value-lost-over = Value lost, next { $horizon }
stake-note = Value at stake: the lifetime value over the next { $horizon } that is expected to be lost if the customer is gone, in { $currency }. Highest first.
stake-note-no-currency = Value at stake: the lifetime value over the next { $horizon } that is expected to be lost if the customer is gone. Highest first.
stake-note-no-clv = No lifetime value was forecast for this snapshot (no customer-base model could be fitted), so no value at stake is shown; the list is ranked by revenue.
card-clv-over = Lifetime value, next { $horizon }
card-stake-over = Value at stake, next { $horizon }
## The status rule in plain words (README, "Statuses"): the same on every card.
card-status-rule-title = How the status is decided
card-status-rule = Lost: no purchase for more than 365 days, or the chance the customer is still with us is below 20%, or the silence is far beyond their own rhythm and that chance is below 50%. Slipping: late by their own rhythm, or that chance is below 50%, or (without a rhythm) quiet for more than 90 days. Active: everyone else. A longer silence never makes a customer more active. These are the default limits.
