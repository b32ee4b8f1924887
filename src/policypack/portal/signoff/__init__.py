"""Sign-off: submitting a school's pack for approval, approving or returning it, and the e-mail it sends."""
