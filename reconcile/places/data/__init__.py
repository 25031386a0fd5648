"""Package data: the compact gazetteer built by scripts/build_places.py (see README.md here)."""
