"""NTM dashboard domain package: data model, loader, analytics and exports (no Streamlit here)."""

__version__ = "0.1.0"
