"""The glue between a notebook and its kernels: launch options, from the command line on."""
