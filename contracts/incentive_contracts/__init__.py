"""Wire formats shared by every service: the event envelope, payload models and topic names.

Nothing here performs I/O; every service depends on this package.
"""
