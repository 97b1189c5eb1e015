# The product portfolio page (issue 28).
nav-portfolio = Portfolio
page-portfolio = Product portfolio
portfolio-as-of = Report date
portfolio-apply = Show
portfolio-headline = { $n ->
    [one] { $count } product with sales up to { $month } (report date { $date })
   *[other] { $count } products with sales up to { $month } (report date { $date })
}
portfolio-empty = No order line names a product yet. Import order exports with a product (or SKU) column and a category column, then come back: each product's life-cycle stage is read from its monthly sales.
portfolio-rule-note = Stage rule: on the 3-month moving average of monthly revenue — younger than 6 months: introduction; at most 70% of its peak and down 10% or more over 6 months: decline; up 20% or more over 6 months: growth; otherwise maturity. Revenue in the data's currency.
portfolio-no-advocates = Advocates are unknown (no scored snapshot yet), so no product can be a line-cut candidate. Run scoring first.
portfolio-without-sales = { $n ->
    [one] One product in the products file sold nothing: { $list }
   *[other] { $n } products in the products file sold nothing: { $list }
}
portfolio-managers = The product portfolio shows company-wide figures: it is for admins and analysts.
portfolio-map = Portfolio map
portfolio-map-none = No product in this stage.
portfolio-map-more = { $n ->
    [one] and { $count } more (see the table)
   *[other] and { $count } more (see the table)
}
portfolio-products = Products
portfolio-download-csv = Download the products (CSV)
portfolio-bundles = Bundles bought together
portfolio-bundles-note = { $n ->
    [one] From { $baskets } basket (an order, or a customer's purchase day); a pair needs at least { $min } baskets.
   *[other] From { $baskets } baskets (an order, or a customer's purchase day); a pair needs at least { $min } baskets.
}
portfolio-bundles-empty = No pair of products reaches the minimum support: not enough baskets hold two products together.
portfolio-stage-introduction = Introduction
portfolio-stage-growth = Growth
portfolio-stage-maturity = Maturity
portfolio-stage-decline = Decline
portfolio-tag-bestseller = bestseller
portfolio-tag-longseller = longseller
portfolio-tag-blockbuster = blockbuster
portfolio-tag-line-cut = line-cut candidate
portfolio-tag-product-of-month = product of the month
portfolio-rule-too-young = { $age ->
    [one] sold for { $age } month: too young to tell
   *[other] sold for { $age } months: too young to tell
}
portfolio-rule-no-sales = no month with sales yet
portfolio-rule-below-peak-and-falling = { $now } a month now against { $before } six months before ({ $change }); { $share } of its peak { $peak }
portfolio-rule-rising = { $now } a month now against { $before } six months before ({ $change })
portfolio-rule-steady = steady: { $now } a month now against { $before } six months before ({ $change }); { $share } of its peak
portfolio-col-product = Product
portfolio-col-name = Name
portfolio-col-category = Category
portfolio-col-stage = Stage
portfolio-col-reason = Why
portfolio-col-revenue = Revenue, all time
portfolio-col-revenue-12m = Revenue, 12 months
portfolio-col-margin = Margin
portfolio-col-margin-rate = Margin rate
portfolio-col-customers = Buyers
portfolio-col-advocates = Advocates among buyers
portfolio-col-tags = Tags
portfolio-col-a = Bought
portfolio-col-b = Also bought
portfolio-col-baskets = Baskets
portfolio-col-support = Support
portfolio-col-confidence = Confidence
portfolio-col-lift = Lift
portfolio-rungs = Which rungs buy what
portfolio-rungs-note = Share of each rung's customers who bought the category (rungs of the snapshot of { $date }; hover a cell for the counts).
portfolio-rungs-unscored = No scored snapshot yet: run scoring to see which rungs buy what and to get suggestions.
portfolio-rungs-no-categories = No order line carries a category yet: import order exports with a category column.
portfolio-rungs-cell = { $n ->
    [one] { $buyers } buyer of { $customers } customers
   *[other] { $buyers } buyers of { $customers } customers
}
portfolio-suggest = Cross-category suggestions for a customer
portfolio-suggest-customer = Customer id
portfolio-suggest-bad-id = “{ $id }” is not a customer id (a positive whole number, as in the card's address).
portfolio-suggest-not-found = There is no customer with id { $id }.
portfolio-suggest-unscored = Customer { $id } is not in the latest snapshot (not scored yet): no suggestions.
portfolio-suggest-none = Customer { $id } ({ $rung }): nothing to suggest — no category is bought often enough by { $rung } customers who buy what this customer buys.
portfolio-suggest-summary = Customer { $id } ({ $rung }) bought: { $bought }. Customers of the same rung who buy the same also buy:
portfolio-suggest-why = { $n ->
    [one] { $share } of the { $peers } customer of the rung who bought { $basis } (lift { $lift })
   *[other] { $share } of the { $peers } customers of the rung who bought { $basis } (lift { $lift })
}
