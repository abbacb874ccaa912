"""Reading PDFs back in tests: which fonts the pages use and whether they are embedded."""

from __future__ import annotations

from typing import Any

import pypdf


def fonts(reader: pypdf.PdfReader) -> list[dict[str, Any]]:
    """Every font the pages use: its PDF name and whether a TrueType file is embedded."""
    found = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font: Any = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            found.append({
                "name": str(font["/BaseFont"]),
                "file2": descriptor is not None and "/FontFile2" in descriptor.get_object(),
            })
    return found
