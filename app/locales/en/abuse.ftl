# Abuse protection: the 429 page, and the dashboard's blocks.

throttled-title = Too many requests
throttled-back = Try again

admin-nav-blocks = Blocks
admin-entity-block = block
admin-stat-blocks = blocks in force
admin-alert-spike = Wrong-code spike: { $failures } wrong codes in one minute. Until { $until }, players without a clean record pause after each wrong code.

admin-blocks-title = Blocks of code input
admin-blocks-help = Too many wrong codes from one player or one address block code input for a while, longer for repeat offenders. Established players (who have redeemed a code, or whose account is over a day old) are never held back by someone else's block. Lifting a block ends it at once on every server; blocks and lifts are in the audit log.
admin-blocks-show-active = In force
admin-blocks-show-recent = Last 24 hours
admin-blocks-none = No blocks.
admin-blocks-lifted = The block is lifted.
admin-blocks-not-lifted = That block had already ended.

admin-block-who = Who
admin-block-why = Why
admin-block-since = Since
admin-block-until = Until
admin-block-status = Status
admin-block-scope-player = player
admin-block-scope-ip = address
admin-block-scope-service = everyone without a clean record
admin-block-reason-failures = { $failures ->
    [one] { $failures } wrong code
   *[other] { $failures } wrong codes
}
admin-block-reason-spread = wrong codes for many accounts ({ $failures })
admin-block-reason-spike = service-wide spike ({ $failures } wrong codes a minute)
admin-block-strike = block no. { $strike } today
admin-block-active = in force
admin-block-ended = ended
admin-block-lifted-by = lifted by { $admin }
admin-block-lift = Lift

busy-title = The service is busy
busy-message = Too many people are here at once. Try again in a moment.
