"""Pure functions behind the pages: queries over the stores and data → components, no callbacks."""
