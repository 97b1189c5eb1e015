# The client calendar: occasions with greeting drafts, and the card's personal-date form.
nav-calendar = Calendar
page-calendar = Client calendar
calendar-intro = Occasions from { $from } to { $to }: birthdays, name days, favourite holidays, founding days, custom dates and first-purchase anniversaries of your customers.
calendar-days = Window
calendar-window = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
calendar-none = No occasions in these days. Personal dates are added on the customer card, through the API or from a file with clientele calendar import.
calendar-drafts-intro = Each greeting is written from the customer's dossier and differs from every other customer's greeting for the same occasion. Edit it, save it, or send it: the contact policy picks the channel and time, or says why not, and the contact log records it.
calendar-greeting = Greeting
calendar-save = Save
calendar-send = Send
calendar-by = by { $channel }
calendar-edited-by = edited by
calendar-sent-at = Sent { $at } by { $by }
calendar-done-saved = The greeting was saved.
calendar-done-sent = The greeting was planned through the contact policy and recorded in the contact log.
calendar-done-refused = The greeting was not sent: { $why } The draft is kept.
calendar-refusal-no_consented_channel = no channel has consent.
calendar-refusal-no_contact_details = consent is given, but there is no address or number.
calendar-refusal-past_deadline = quiet hours would push it past its day.
calendar-refusal-weekly_cap_reached = the weekly contact limit is reached.
calendar-refusal-monthly_cap_reached = the monthly contact limit is reached.
calendar-refusal-unknown_customer = the customer is not in the database.
calendar-conflict = This greeting was sent already, or another customer of the same occasion has exactly this text: write it differently.
calendar-bad-body = A greeting must have 1 to { $max } characters and no control characters.
calendar-day-passed = The day of this occasion has passed: the greeting is not sent.
calendar-analysts-read = Analysts read the calendar; managers and admins edit and send greetings.
calendar-name-day = Name day
calendar-founding-day = Founding day
calendar-date-label = Occasion
calendar-date-label-hint = birthday, name day, founding day, a holiday, or any label
calendar-date-rule = Date or rule
calendar-date-rule-hint = 14.03.1985, last Sunday of July, orthodox easter+49
calendar-date-submit = Add
calendar-date-added = The date was added.
calendar-date-known = The customer already has this date.
calendar-bad-label = The occasion must have 1 to 100 characters: “{ $detail }”.
calendar-bad-date = “{ $detail }” is not a date or rule: write 14.03.1985, 14.03, last Sunday of July, easter+49, orthodox easter, or leave it empty for a holiday’s code.
