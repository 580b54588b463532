"""The runtime every service is built from (see ARCHITECTURE.md, "servicekit")."""
