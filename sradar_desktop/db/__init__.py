"""Database of SRADAR Desktop: engine set-up, ORM models, migrations. Reached through services."""
