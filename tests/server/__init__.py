"""Tests of the Jupyter server backend."""
