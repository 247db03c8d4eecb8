"""OAI-PMH: hardened XML parsing, the protocol model, an async verb client and
metadata-format mappers (oai_dc, MODS, DataCite, BASE's base_dc) into Records."""
