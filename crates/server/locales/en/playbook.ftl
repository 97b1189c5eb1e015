# The playbook page (issue 27).
page-playbook = Playbook
playbook-intro = What the daily queue proposes for each rung of the loyalty ladder and profit sub-group: the goal, the actions with their offer, channels and cost per contact, the budget per customer per period, and the newcomer rule. The file's comments document every key.
playbook-defaults = In force: the documented defaults (no version saved yet).
playbook-version = In force: version { $version }, saved by { $user } on { $at }.
playbook-file = The playbook file (TOML)
playbook-hint = Saving keeps the earlier versions; at most { $max } bytes.
playbook-save = Save as a new version
playbook-read-only = Only admins edit the playbook; this is the version in force.
playbook-flash-saved = Playbook saved as a new version; the queue follows it from now on.
playbook-admins-only = Only admins edit the playbook.
playbook-error-key = Not saved: this value does not fit, at the key
playbook-error-other = Not saved: the file does not read.
playbook-error-long = Not saved: the file is longer than { $max } bytes.
playbook-error-detail = The checker says:
