"""harvester: fetch and parse scholarly repository pages. Knows nothing of the database."""

__version__ = "0.1.0"
