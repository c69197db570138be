"""Use cases of SRADAR Desktop. Each one owns its transaction; the GUI, the command line and the
tests all call these, never the database directly."""
