# The NPS page's section on what promoters, passives and detractors did next.
nps-behaviour-title = What they did next
nps-behaviour-snapshot = Standing is read in the first snapshot after the period, of { $day }.
nps-behaviour-no-snapshot = No snapshot after the period yet, so nobody can be followed: score the data again (clientele score) once it has moved on.
nps-behaviour-horizon = CLV is over { $n ->
    [one] { $days } day
   *[other] { $days } days
}.
nps-behaviour-no-horizon = The snapshot gives no CLV.
nps-behaviour-currency = Amounts are in { $code }.
nps-behaviour-no-currency = The currency is not known; amounts are in the data's unit.
nps-behaviour-window = Revenue after: orders of { $from } to { $to }.
nps-behaviour-window-open = The data ends on { $day }, so that window is not over and its revenue is partial.
nps-behaviour-promoter = Promoters
nps-behaviour-passive = Passives
nps-behaviour-detractor = Detractors
nps-behaviour-col-group = Group
nps-behaviour-col-respondents = Respondents
nps-behaviour-col-followed = In the snapshot
nps-behaviour-col-slipping-or-lost = Slipping or lost
nps-behaviour-col-revenue = Mean revenue to date
nps-behaviour-col-clv = Mean CLV
nps-behaviour-col-revenue-after = Mean revenue after
nps-behaviour-share = { $share } (95% interval { $lo } to { $hi })
nps-behaviour-mean = { $mean } (95% interval { $lo } to { $hi })
nps-behaviour-difference-significant = Detractors' share slipping or lost minus promoters': { $delta } (95% interval { $lo } to { $hi }, p = { $p }): a real difference.
nps-behaviour-difference-noise = Detractors' share slipping or lost minus promoters': { $delta } (95% interval { $lo } to { $hi }, p = { $p }): could be noise.
nps-behaviour-no-difference = Too few promoters or detractors are in the snapshot to compare how often they left.
