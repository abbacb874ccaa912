"""``kesu-server``: run the reference sync server, issue enrolment codes, new epochs.

    kesu-server serve --db sqlite:///server.db --host 127.0.0.1 --port 8765 [--bench]
    kesu-server enrol --db sqlite:///server.db --store XT01 --desk D1
    kesu-server new-epoch --db sqlite:///server.db   # after restoring a backup
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kesu-server", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--db", required=True, help="SQLAlchemy URL, e.g. sqlite:///server.db")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--bench", action="store_true", help="enable POST /v1/_echo")
    enrol = sub.add_parser("enrol", help="print a one-time enrolment code as JSON")
    enrol.add_argument("--db", required=True)
    enrol.add_argument("--store", required=True)
    enrol.add_argument("--desk", required=True)
    epoch = sub.add_parser("new-epoch", help="give a restored database a new epoch")
    epoch.add_argument("--db", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kesu-server``; returns the exit status."""
    args = _parser().parse_args(argv)
    # Imported here so `kesu-server --help` stays fast.
    from sync.server.storage import Storage

    if args.command == "serve":
        import uvicorn

        from sync.server.app import create_app

        app = create_app(args.db, bench=args.bench)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                    access_log=False)
        return 0
    storage = Storage(args.db)
    try:
        if args.command == "enrol":
            code = storage.create_enrol_code(args.store, args.desk)
            out = {"code": code, "store": args.store, "desk": args.desk}
        else:
            out = {"epoch": storage.new_epoch()}
    finally:
        storage.close()
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
