"""The reference central sync server (``kesu-server``): FastAPI over SQLAlchemy Core."""
