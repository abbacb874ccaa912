"""The sync tests' fixtures (real server processes, enrolled desks), shared from
``tests/sync/conftest.py`` so the engine's tests can sit beside the desk package."""

from tests.sync.conftest import (  # noqa: F401
    backend,
    make_desk,
    pg_cluster,
    private_server,
    server,
    shared_server,
)
