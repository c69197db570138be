"""The entry window: the plan, the actions, the current action, and the rooms that run it."""
