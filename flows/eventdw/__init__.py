"""eventdw: an event-data warehouse."""
