"""Streamlit pages: thin layers over the library (see app.py for the routing)."""
