"""The pure shared kernel: vocabulary every service's domain and application layers may import.

Only the standard library: no web, database, broker or runtime imports (an import-linter contract
checks it). Wire formats belong in incentive_contracts, runtime code in servicekit.
"""
