# Personal codes ("your codes") and rewards for platform actions.
nav-my-codes = Personal codes
my-codes-title = Your personal codes
my-codes-intro = Codes issued to you alone: nobody else can redeem them.
my-codes-empty = No codes have been issued to you yet.
my-codes-state-open = To redeem
my-codes-state-redeemed = Redeemed
my-codes-state-expired = Expired
my-codes-redeem = Redeem
my-codes-until = Until { $date }
notification-code-issued = A code just for you: { $code }, worth { $amount }. Find it under Personal codes.

admin-nav-actions = Action rewards
admin-entity-action_reward = Action reward
admin-actions-title = Rewards for platform actions
admin-actions-intro = The platform reports what a player did (POST /api/v1/players/{"{"}id{"}"}/actions). Here each action key earns a reward: credited at once, or as a personal code the player redeems.
admin-actions-empty = No action earns anything yet.
admin-actions-action = Action key
admin-actions-gives = Gives
admin-actions-gives-grant = Credited at once
admin-actions-gives-code = A personal code
admin-actions-reward = Reward
admin-actions-currency = Currency
admin-actions-once = Once per player
admin-actions-once-yes = Once per player
admin-actions-once-no = Every report
admin-actions-code-days = Code valid (days)
admin-actions-enabled = On
admin-actions-rewarded = Rewarded
admin-actions-save = Save the reward
admin-actions-saved = Saved.
admin-actions-form-title = Add or change an action's reward
admin-actions-edit = Change
admin-error-action-key = Use lower-case letters, digits and _ . : - (up to 40), starting with a letter or digit.
api-error-report-key = The report's key is 1 to 200 characters, none of them control characters.

# Referrals, quests and loyalty (issue 15).
nav-quests = Quests
nav-invite = Invite friends
invite-title = Invite friends
invite-offer-sign-up = A friend who signs up with your link gets { $friend }, and you get { $you } as soon as they join.
invite-offer-first-redeem = A friend who signs up with your link gets { $friend }, and you get { $you } when they redeem their first code.
invite-program-off = The referral program is paused: friends can still join with your link, but nobody is rewarded for now.
invite-share = Share this link:
invite-code = Your invite code:
invite-joined = Friends who joined
invite-converted = Of them, redeemed a code
invite-held = Waiting for a check
invite-earned = You earned
invite-landing-title = { $name } invites you to Promocodes
invite-landing-offer = Sign up with this invite and get { $amount }.
invite-landing-sign-up = Sign up with the invite
invite-new-players-only = You are signed in already: invites are for new players.
invite-unknown-title = Invite not found
invite-unknown = This invite link does not exist. You can still sign up without it.
signup-invited = You are signing up with the invite { $code }.
quests-title = Quests
quests-empty = No quests right now.
quests-progress = { $done } of { $target }
quests-reward = Reward:
quests-completed = Completed, reward paid:
quests-step-code = Redeem the code { $code }
quests-step-group = { $count ->
    [one] Redeem a code of { $name }
   *[other] Redeem { $count } codes of { $name }
}
quests-step-campaign = { $count ->
    [one] Redeem a code of the campaign { $name }
   *[other] Redeem { $count } codes of the campaign { $name }
}
quests-step-eggs = { $count ->
    [one] Find a hidden easter egg
   *[other] Find { $count } hidden easter eggs
}
quests-step-codes = { $count ->
    [one] Redeem any code
   *[other] Redeem any { $count } codes
}
notification-quest-completed = Quest completed: { $quest }. You received { $amount }.
notification-referral-rewarded = Your friend { $friend } joined: you received { $amount }.

admin-nav-referrals = Referrals
admin-nav-quests = Quests
admin-nav-loyalty = Loyalty
admin-entity-referral_program = Referral program
admin-entity-quest = Quest
admin-entity-loyalty_rule = Loyalty rule
admin-referrals-title = Referral program
admin-referrals-intro = Every player has an invite link (/r/code). A friend who signs up with it is rewarded, and so is the player who invited them, once each.
admin-referrals-inviters = Players with a link
admin-referrals-joined = Friends joined
admin-referrals-converted = Redeemed a code
admin-referrals-held = Held for review
admin-referrals-rejected = Rejected
admin-referrals-capped = Over the cap
admin-referrals-referee-rewards = Paid to friends
admin-referrals-referrer-rewards = Paid to referrers
admin-referrals-top = Top referrers
admin-referrals-none = Nobody has been invited yet.
admin-referrals-referrer = Referrer
admin-referrals-paid = Paid
admin-referrals-review = Held for review
admin-referrals-none-held = No referral waits for review.
admin-referrals-friend = Friend
admin-referrals-address = Address
admin-referrals-accept = Accept and pay
admin-referrals-reject = Reject
admin-referrals-program = Settings
admin-referrals-enabled = The program is on
admin-referrals-referee-reward = The friend's reward
admin-referrals-referrer-reward = The referrer's reward
admin-referrals-pay-on = The referrer is paid
admin-referrals-pay-first_redeem = When the friend redeems their first code
admin-referrals-pay-sign_up = When the friend signs up
admin-referrals-cap = Referrer rewards at most
admin-referrals-cap-hint = Per period below; empty for no cap.
admin-referrals-cap-days = Period (days)
admin-referrals-threshold = Sign-ups per address per day before review
admin-referrals-threshold-hint = Further sign-ups from the same address wait for an admin.
admin-referrals-save = Save the program
admin-quests-title = Quests
admin-quests-intro = A quest is done when every step is: players progress by redeeming codes, and the reward is paid once, on completion.
admin-quests-empty = No quests yet.
admin-quests-quest = Quest
admin-quests-steps = Steps
admin-quests-completions = Completed by
admin-quests-kind-code = A given code
admin-quests-kind-group = Codes of a group
admin-quests-kind-campaign = Codes of a campaign
admin-quests-kind-codes = Any codes
admin-quests-kind-eggs = Easter eggs
admin-quests-form-title = Add or change a quest
admin-quests-slug = Key (the same key again changes the quest)
admin-quests-title-en = Title (English)
admin-quests-story-en = Story (English)
admin-quests-title-ru = Title (Russian)
admin-quests-story-ru = Story (Russian)
admin-quests-steps-hint = Each step: a kind; what it names (the code, the group or campaign name, or egg links separated by commas, empty for any egg); how many.
admin-quests-step = Step { $n }
admin-quests-kind = Kind
admin-quests-subject = Code, name or egg links
admin-quests-target = How many
admin-quests-save = Save the quest
admin-loyalty-title = Loyalty rules
admin-loyalty-intro = Rules issue personal codes: every N redeems of a player, each month to a tier, or once to the members of a tagged program. Each code is issued once and expires as set.
admin-loyalty-empty = No loyalty rules yet.
admin-loyalty-when = Issued
admin-loyalty-issued = Codes issued
admin-loyalty-redeemed = Redeemed
admin-loyalty-kind-every_n = Every N redeems
admin-loyalty-kind-monthly_tier = Monthly, to a tier
admin-loyalty-kind-tagged = Once, to a tag's members
admin-loyalty-form-title = Add or change a rule
admin-loyalty-value = N, tier or tag
admin-loyalty-value-hint = A number for every N redeems; the tier (vip) or tag (beta) otherwise.
admin-loyalty-save = Save the rule
admin-error-quest-steps = A quest has 1 to 20 steps.
admin-error-quest-subject = A step names a code, group, campaign or easter egg that does not exist.
admin-error-quest-target = A step asks for 1 to 1000.
admin-error-quest-in-progress = Players have progressed in this quest: its steps can no longer change.
admin-error-rule-value = Give a number from 1 for every N redeems, or a tier or tag of up to 32 characters.
admin-sheet-open = Printable sheet
admin-sheet-title = { $name }: printable sheet
admin-sheet-hint = Cards with each code and a QR code of its redeem link, for printed materials and events. Print this page (Ctrl+P): only the cards are printed. Each page of cards is one printed page.
admin-sheet-page = Page { $page }
admin-sheet-empty = This series has no codes yet.
admin-sheet-reward = { $amount }
admin-sheet-how = Scan the code or enter it on the Redeem page.
for-you-title = For you
for-you-announced = New code { $code }: { $amount }
for-you-personal = Your personal code { $code }: { $amount }
for-you-quest = Quest “{ $quest }”: { $done } of { $target } done, reward { $amount }
admin-referrals-referee-currency = The friend's currency
admin-referrals-referrer-currency = The referrer's currency
