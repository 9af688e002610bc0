"""tnb: a terminal notebook for Jupyter."""

__version__ = "0.1.0"
