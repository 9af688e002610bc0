"""The terminal UI: the Textual app, its screens and widgets, and the renderers of outputs."""
