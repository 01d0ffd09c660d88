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
error-internal = Something went wrong on our side. Please try again in a moment.
