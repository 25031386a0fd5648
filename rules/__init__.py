"""The rule files shipped with reconcile (TOML, read as data; see README)."""
