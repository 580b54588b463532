"""The example payloads of every event, one module per producing service (merged in ``examples.EXAMPLES``)."""
