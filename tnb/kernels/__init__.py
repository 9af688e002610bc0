"""Everything that talks to a kernel: the backend protocol, raw (ZeroMQ) and server backends."""
