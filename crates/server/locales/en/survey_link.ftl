# The public answer page of a survey invitation (no login).
survey-link-title = Your opinion
survey-link-language = Language
survey-link-nps = How likely are you to recommend us to a friend or colleague?
survey-link-nps-low = Not at all likely
survey-link-nps-high = Extremely likely
survey-link-csat = How satisfied are you with us?
survey-link-csat-low = Very dissatisfied
survey-link-csat-high = Very satisfied
survey-link-comment = Anything you would like to tell us? (optional)
survey-link-submit = Send my answer
survey-link-stored = Thank you! Your answer is recorded.
survey-link-changed = Thank you! Your answer is changed.
survey-link-previous = Your answer: { $score }, given { $when } (UTC). You may change it until { $until } (UTC); sending again replaces it.
survey-link-unknown = This link is not known. Check that it was copied whole from the invitation.
survey-link-expired = This link was open until { $when } (UTC) and no longer takes answers. Thank you for your interest.
survey-link-closed = This survey is closed and takes no more answers. Thank you for your interest.
survey-link-bad-score = Choose a score from { $min } to { $max }.
survey-link-long-comment = The comment is too long: at most { $max } characters.
survey-link-control-comment = The comment holds characters that cannot be stored; remove them and send again.
survey-link-cross-site = This form can only be sent from its own page. Open the link from the invitation and send it again.
survey-link-throttled = Too many tries from here. Please wait { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
} and try again.
survey-link-failed = Your answer could not be recorded just now. Please try again in a minute.
