"""Parts shared by the windows: translation, settings, background work, widgets, layout,
painting."""
