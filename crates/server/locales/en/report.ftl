# The CLI's terminal report (`clientele analyze`, text format; issue 24 item 10). The English
# messages keep the report as it was; names, codes, paths and flags are arguments, so the Russian
# report never shows a word of this file.
cli-title = Clientele: the loyalty ladder as of { $date }
cli-file = { $path }: { $rows } rows, { $imported } imported ({ $returns } returns), { $rejected } rejected, { $duplicates } duplicates, { $after } after the as-of date
cli-rejects-see = { $count } row(s) were not imported (see { $file }).
cli-rejects-use-out = { $count } row(s) were not imported (use { $flag } to get { $file }).
cli-no-cost = No order line has a cost: profit is not shown (map a cost column with { $flag }).
cli-some-cost = Some order lines have no cost: profit is revenue minus the costs that are known.
cli-col-rung = rung (strategy)
cli-col-customers = customers
cli-col-share = share
cli-col-revenue = revenue
cli-col-profit = profit
cli-col-active = active
cli-col-slipping = slipping
cli-col-lost = lost
cli-all = all
cli-rung-prospect = prospect (attract)
cli-rung-visitor = visitor (attract)
cli-rung-newcomer = newcomer (engage)
cli-rung-regular = regular (retain)
cli-rung-advocate = advocate (cherish)
cli-subgroup-profitable = profitable
cli-subgroup-middling = middling
cli-subgroup-unprofitable = unprofitable
cli-subgroup-loss-making = loss-making
cli-returners = Returners (came back after being lost): { $count }.
cli-none-lost = No customer is lost.
cli-lost-brought = { $n ->
    [one] { $count } lost customer
   *[other] { $count } lost customers
} brought { $revenue } of revenue: win them back.
cli-lost-nothing = { $n ->
    [one] { $count } lost customer
   *[other] { $count } lost customers
}, who brought no revenue.
cli-pareto = Pareto: the top 20% of customers bring { $top } of revenue; 80% of revenue comes from { $few } of customers (Gini { $gini }).
cli-pareto-profit = The top 20% by profit bring { $top } of profit.
cli-pareto-none = Pareto: no positive revenue to analyse.
cli-image-referred = Image clients: { $image } (revenue { $image_revenue }). Referred customers: { $referred } (revenue { $referred_revenue }).
cli-model-refused = Model { $model }: not fitted ({ $reason }); statuses use rhythms and day limits only.
cli-model-fitted = Model { $model } (days): { $params }; log-likelihood { $ll }, converged in { $iterations } iterations.
cli-spend-fitted = Spend ({ $model }): { $params }; CLV over { $days } days.
cli-spend-constant = Spend does not vary (every repeat buyer's purchases average { $value }), so { $model } is not fitted: the expected spend per purchase is { $value }; CLV over { $days } days.
cli-spend-refused = No spend model ({ $reason }), so no CLV.
cli-none-slipping = No regulars or advocates are slipping.
cli-slipping = Top regulars and advocates slipping away (by value at stake: the CLV over { $days } { $days ->
    [one] day
   *[other] days
} expected to be lost if they are gone):
cli-slipping-revenue = revenue
cli-slipping-at-stake = at stake
# What was detected in a file (the import's notes).
cli-note-encoding = encoding
cli-note-separator = separator
cli-note-fields = fields
cli-note-header = header row
cli-note-dates = dates
cli-note-decimal = decimal mark
cli-note-yes = yes
cli-note-no = no
cli-note-as-told = as told
cli-note-bom = with byte-order mark
cli-note-not-utf8 = bytes are not valid UTF-8
cli-note-tab = tab
cli-note-spaces = runs of spaces
cli-note-column = column
cli-note-by-header = header name
cli-note-no-decimals = no sample value has decimals
cli-note-seen = seen in { $example }; { $n ->
    [one] { $n } value agrees
   *[other] { $n } values agree
}
cli-note-price-as-amount = amount: no amount or quantity column, so each line's price is taken as its amount
