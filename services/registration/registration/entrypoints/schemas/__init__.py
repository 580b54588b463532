"""Request and response bodies of the registration API."""
