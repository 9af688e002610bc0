"""Raw kernels: launched by tnb from a kernelspec or environment, spoken to over ZeroMQ."""
