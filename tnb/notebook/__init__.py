"""The notebook document: cells, outputs, load and save, output semantics (no UI, no kernels)."""
