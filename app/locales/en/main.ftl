# Promocodes, English.

app-name = Promocodes
nav-home = Home
nav-language = Language
skip-to-content = Skip to content

home-title = Promocodes
home-lead = Redeem codes, find hidden easter eggs and collect coins.
home-how-it-works = How it works
home-step-get = Get a code from an event, a newsletter or a partner.
home-step-enter = Enter it on the redeem page.
home-step-reward = The reward lands in your wallet at once.

not-found-title = Page not found
not-found-back = Back to the start

redeem-error-malformed = A code has only letters and digits (spaces and dashes are ignored), at most 64 of them.
redeem-error-unknown = There is no such code. Check it and try again.
redeem-error-disabled = There is no such code. Check it and try again.
redeem-error-not-started = This code is not active yet. It starts on { $starts_at }.
redeem-error-expired = This code has expired.
redeem-error-exhausted = This code has been used up.
redeem-error-already-activated = You have already redeemed this code.
redeem-error-not-eligible = This code is not available for your account.
redeem-error-unknown-player = Sign in to redeem codes.
redeem-error-locked-out = Too many wrong codes. Code entry is paused until { $until }.
redeem-error-cooldown = Many wrong codes are being tried across the service right now, so a wrong code is followed by a short pause. You can try again at { $until }.
redeem-error-throttled = Too many attempts in a short time. Try again in { $seconds } s.
redeem-error-balance-full = Your balance cannot hold this reward.
error-internal = Something went wrong on our side. Please try again in a moment.

nav-label = Main
nav-redeem = Redeem
nav-wallet = Wallet
nav-activations = My codes
nav-notifications = Inbox
nav-unread = { $count ->
    [one] { $count } unread notification
   *[other] { $count } unread notifications
}
nav-sign-in = Sign in
nav-sign-up = Sign up
nav-sign-out = Sign out
nav-account = Account
footer-text = Promocodes · codes, easter eggs and rewards
egg-lantern-title = A warm light
egg-key-title = Something small and silver
egg-compass-title = Something copper that points

home-redeem = Redeem a code

amount = { $currency ->
    [COINS] { $amount ->
        [one] { $shown } coin
       *[other] { $shown } coins
    }
    [GEMS] { $amount ->
        [one] { $shown } gem
       *[other] { $shown } gems
    }
   *[other] { $shown } { $currency }
}

# A currency on its own (report headings).
currency-name = { $currency ->
    [COINS] Coins
    [GEMS] Gems
   *[other] { $currency }
}
# Dates: $month is 1-12.
date-day = { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $day }, { $year }
date-day-short = { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $day }
date-week-of = week of { $day }

pager-label = Pages
pager-previous = ← Previous
pager-next = Next →
pager-page = Page { $page }

redeem-title = Redeem a code
redeem-hint = Case, spaces and dashes do not matter.
redeem-label = Promo code
redeem-submit = Redeem
redeem-success-title = Code redeemed!
redeem-earlier-title = You found this one before
redeem-secret = Secret message:
redeem-balance = Your balance:

field-username = Username
field-password = Password
field-confirm = Repeat the password
signin-title = Sign in
signin-submit = Sign in
signin-no-account = No account yet?
signin-error-credentials = Wrong username or password.
signin-error-wait = Too many failed sign-ins for this account. Try again in { $seconds } s.
signin-link-expired = This sign-in link has expired. Ask for a new one, or sign in with your password.
signin-link-invalid = This sign-in link is not valid. Sign in with your password instead.
signup-title = Create an account
signup-submit = Sign up
signup-error-username = A username has 3 to 40 letters, digits, dots, dashes or underscores.
signup-error-password = A password has at least 8 characters.
signup-error-confirm = The two passwords differ.
signup-error-taken = This username is taken.

bad-request-title = This request could not be read
bad-request-message = Something in what was sent is missing or malformed. Go back and try again.
bad-request-back = To the home page

egg-title = You found an easter egg!
egg-closed-title = Something is hidden here
egg-closed-hint = Open it to see what it is.
egg-claim = Open it
egg-empty-title = Nothing here
egg-empty = There is nothing hidden here after all.

account-title = Your account
account-password-title = Change your password
account-password-current = Current password
account-password-new = New password
account-password-confirm = New password again
account-password-submit = Change password
account-announcements-title = New codes
account-announcements-on = We tell you in your inbox when a new code is for you.
account-announcements-off = You are not told about new codes. Codes you find yourself still work.
account-announcements-turn-off = Stop telling me
account-announcements-turn-on = Tell me about new codes
account-password-changed = Your password is changed. You stay signed in here; every other device is signed out.
account-error-current = The current password is wrong.

wallet-title = Wallet
wallet-balances = Balances
wallet-empty = Nothing here yet. Redeem a code to get your first coins.
wallet-history = History
col-when = When
col-source = Source
col-amount = Amount
col-balance = Balance
col-code = Code
col-channel = How
source-promo = Promo code { $code }
source-adjustment = Adjustment
activations-title = My codes
activations-empty = You have not redeemed any codes yet.
channel-form = Redeem form
channel-egg = Easter egg
channel-api = Platform
channel-job = Automatic

notifications-title = Inbox
notifications-empty = No notifications.
notifications-mark-all = Mark all as read
notifications-mark-one = Mark as read
notification-activation = You redeemed { $code } and received { $amount }.
notification-new-code = A new promo code for you: { $code }, worth { $amount }. Redeem it on the Redeem page.
