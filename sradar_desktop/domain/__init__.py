"""Plain data of SRADAR Desktop: plans, the answer scale, French text rules. No Qt, no database."""
