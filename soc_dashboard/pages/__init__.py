"""Console pages; Dash imports every module here that calls ``register_page``."""
