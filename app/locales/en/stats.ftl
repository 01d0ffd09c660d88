# Statistics pages (dashboard).
stats-from = From
stats-to = To
stats-show = Show
stats-presets = Common ranges
stats-preset-today = Today
stats-preset-7 = 7 days
stats-preset-30 = 30 days
stats-preset-90 = 90 days
stats-preset-365 = A year
stats-error-date = Dates are written as YYYY-MM-DD, years 1970 to 9999. Showing the last 30 days instead.
stats-error-order = The range ends before it starts. Showing the last 30 days instead.
stats-error-too-long = A range covers at most ten years. Showing the last 30 days instead.
stats-as-of = Figures as of { $at } (days in UTC).
stats-computed-at = Computed at { $at }; refreshed every few minutes (weeks start on Monday, UTC).
stats-not-computed = Not computed yet: the figures appear a few minutes after the server starts.
stats-reports = Reports
stats-not-found = There is nothing here to report on.
stats-nothing = Nothing in this range.

stats-service-title = Statistics
stats-campaigns-title = Campaigns compared
stats-retention-title = Retention
stats-code-title = Code { $name }
stats-group-title = Group { $name }
stats-series-title = Series { $name }
stats-campaign-title = Campaign { $name }
stats-partner-title = Partner { $name }
stats-released = released { $at }
stats-edit-code = Edit the code
stats-scope-codes = { $count ->
    [one] { $shown } code
   *[other] { $shown } codes
}

stats-activations = Activations
stats-activations-total = Activations in all
stats-activations-all-time = Activations (all time)
stats-today = Today
stats-last-7 = Last 7 days
stats-last-30 = Last 30 days
stats-unique-players = Unique players
stats-players = Players
stats-rewards = Rewards
stats-rewards-total = Rewards handed out
stats-remaining = Activations left
stats-current-reward = Next reward
stats-in-range = In this range: { $count ->
    [one] { $shown } activation
   *[other] { $shown } activations
}, { $rewards }.
stats-codes-used = Codes used
stats-codes-used-share = Share of codes used
stats-new-redeemers = New redeemers
stats-share = Share
stats-channel = Channel
stats-channels = By channel
stats-kind = Kind of code
stats-campaign = Campaign
stats-campaigns = Campaigns
stats-player = Player
stats-external-id = Platform id
stats-reward = Reward
stats-month = Month
stats-owed = Owed

stats-chart-activations = Activations over time, by channel
stats-chart-delays = Time from release to activation
stats-chart-kinds = Activations by kind of code
stats-chart-redeemers = Redeemers per day: first time ever, and returning
stats-chart-abuse = Wrong codes and blocks per period
stats-kinds-title = Popularity by kind of code
stats-redeemers-title = New and returning redeemers
stats-top-players = Most active players
stats-abuse-title = Wrong codes and blocks
stats-top-codes = Most activated codes
stats-marketing-channels = By marketing channel

stats-players-title = Who activated it
stats-players-csv = Download all as CSV
stats-players-empty = Nobody has activated this code yet.

stats-payout-title = Payout
stats-payout-rate = { $amount } per activation, for activations of the partner's codes in the range.
stats-payout-csv = Download the payout as CSV

stats-retention-help = The platform reports player activity (POST /api/v1/activity). A cohort is the players who first redeemed a code in a week, beside the players who signed up that week and redeemed nothing; each column is the share of them active that many weeks later.
stats-cohorts-redeemers = Redeemers, by the week of their first redeem
stats-cohorts-others = Players who redeemed nothing, by the week they signed up
stats-cohort-week = Week of
stats-week-after = { $k ->
    [0] Same week
   *[other] +{ $k } wk
}
stats-week-offset = { $k ->
    [0] Week of first redeem
   *[other] { $k } wk
}
stats-impact-title = Activity around a campaign
stats-impact-help = Each campaign's redeemers: the share active in the four weeks before the week of their first redeem in it, and in that week and the three after, with the events they did.
stats-events = { $count ->
    [one] { $shown } event
   *[other] { $shown } events
}

stats-delay-1h = < 1 hour
stats-delay-6h = 1–6 hours
stats-delay-1d = 6–24 hours
stats-delay-3d = 1–3 days
stats-delay-7d = 3–7 days
stats-delay-30d = 7–30 days
stats-delay-later = Later

stats-key-form = Form
stats-key-egg = Easter egg
stats-key-api = API
stats-key-job = Job
stats-key-standard = Standard
stats-key-decreasing = Decreasing
stats-key-limited = Limited
stats-key-temporary = Temporary
stats-key-new = First time
stats-key-returning = Returning
stats-key-wrong_codes = Wrong codes
stats-key-blocks = Blocks
stats-block-failures = Too many wrong codes
stats-block-spread = One address, many accounts
stats-block-spike = Service-wide spike

chart-table = The figures as a table
chart-period = Period
chart-total = Total
chart-desc = { $count } periods, { $total } in all; the most, { $top }, in { $peak }.
chart-desc-empty = { $count } periods, none with anything in them.
