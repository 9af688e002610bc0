"""Server kernels: on a Jupyter server, a JupyterHub or an Enterprise Gateway, over REST."""
