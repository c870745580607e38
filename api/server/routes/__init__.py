"""One router per feature; each is thin and calls a service (``api/services``)."""
