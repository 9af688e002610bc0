"""Widgets of the notebook screen: the virtualized cell view, the cell editor, bars."""
