"""The drift-threshold versions shipped with the service, one YAML document per version."""
