"""Reading action plans: the built-in plans (TOML text) and plan spreadsheets."""
