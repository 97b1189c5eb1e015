## Sign-in protection (issue 23)
login-throttled = Too many failed sign-ins with this name or from this address. Try again later.
login-cross-site = This sign-in form was sent from another site's page and was refused. Open the sign-in page of Clientele itself and try again.
note-too-long = The note is longer than { $max } characters: shorten it or split it in two.
