"""Layout-file archiving: our pack + read-back against the same work done with GNU tools.

    .venv/bin/python -m bench.yearend_layout --files 10000 --kib 24

Creates FILES layout-like files (a small PDF header, then bytes that compress like a real PDF's
already-deflated streams, i.e. hardly) in a scratch directory and archives them as one month:

- baseline: ``sha256sum`` of every original (the manifest), ``tar -czf``, then a read-back with
  ``tar -xzf --to-command=sha256sum`` (what a careful person would type; the SSH path runs it);
- ours: ``layout.pack`` (hash originals, write tar.gz with a manifest, hash the archive while
  writing) then ``fileserver.read_archive`` + ``layout.verify`` (one streaming pass).

Each step runs in a child process under /usr/bin/time -v (wall seconds, peak RSS). Nothing is
removed from the sandbox; the scratch directory is deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.common import machine, run_child

console = Console()

MAKE = """
import hashlib, json, os, random
from pathlib import Path
root = Path({root!r}); n, kib = {files}, {kib}
rng = random.Random(20271201)
rows = []
for i in range(n):
    rel = f"2023/01/{{i % 28 + 1:02d}}/44060123-{{i:010d}}.pdf"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    body = b"%PDF-1.7\\n% ebill-ops bench layout file\\n" + rng.randbytes(kib * 1024 * 9 // 10) + b"\\x00" * (kib * 1024 // 10)
    path.write_bytes(body)
    rows.append({{"bill_id": i, "file_path": rel, "size_bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}})
(root.parent / "rows.json").write_text(json.dumps(rows))
print(json.dumps({{"files": n, "bytes": sum(r["size_bytes"] for r in rows)}}))
"""

BASELINE = """
import json, os, subprocess
root = {root!r}
names = sorted(str(p.relative_to(root)) for p in __import__("pathlib").Path(root).rglob("*.pdf"))
nul = b"".join(n.encode() + b"\\0" for n in names)
manifest = subprocess.run(["xargs", "-0", "sha256sum", "--"], input=nul, cwd=root, capture_output=True, check=True).stdout
subprocess.run(["tar", "-czf", "../baseline.tar.gz", "--null", "-T", "-"], input=nul, cwd=root, check=True)
back = subprocess.run(
    ["tar", "-xzf", "../baseline.tar.gz", "--to-command", 'printf "%s\\\\t" "$TAR_FILENAME"; exec sha256sum'],
    cwd=root, capture_output=True, check=True,
).stdout
pairs = (line.split("\\t", 1) for line in back.decode().splitlines())
listed = sorted(f"{{rest.split()[0]}}  {{name}}" for name, rest in pairs)
ok = sorted(manifest.decode().splitlines()) == listed
print(json.dumps({{"archive_bytes": os.path.getsize(os.path.join(root, "..", "baseline.tar.gz")), "verified": ok}}))
"""

OURS = """
import datetime as dt, json
from pathlib import Path
from ebill_ops.yearend import layout
from ebill_ops.yearend.fileserver import LocalFileServer
root = Path({root!r})
rows = json.loads((root.parent / "rows.json").read_text())
fs = LocalFileServer(root)
built = layout.pack(fs, "2023-01", rows, archive_dir="_archive", compresslevel=6, now=dt.datetime.now())
manifest = json.loads(fs.read_text(layout.sidecar(built.archive_path)))
problems = layout.verify(fs.read_archive(built.archive_path), manifest)
print(json.dumps({{"archive_bytes": built.archive_bytes, "verified": not problems and built.files == len(rows)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--kib", type=int, default=24, help="size of each file")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="ebops-bench-yearend-"))
    root = scratch / "layout"
    root.mkdir()
    try:
        console.print(f"machine: {machine()}  date: {dt.date.today()}  scratch: {scratch}")
        made = run_child("make files", MAKE.format(root=str(root), files=args.files, kib=args.kib))
        os.sync()
        baseline = run_child(
            "baseline: sha256sum + tar -czf + tar read-back", BASELINE.format(root=str(root))
        )
        ours = run_child("ours: layout.pack + read_archive/verify", OURS.format(root=str(root)))
        table = Table(
            title=f"archive {args.files:,} files x {args.kib} KiB ({made.output['bytes'] / 2**20:.0f} MiB)"
        )
        for column in ("approach", "wall s", "peak RSS MB", "archive MiB", "verified", "ratio to baseline"):
            table.add_column(column, justify="right" if column != "approach" else "left")
        for m in (baseline, ours):
            table.add_row(
                m.name,
                f"{m.seconds:.2f}",
                f"{m.peak_rss_mb:.0f}",
                f"{m.output['archive_bytes'] / 2**20:.1f}",
                str(m.output["verified"]),
                f"{m.seconds / baseline.seconds:.2f}",
            )
        console.print(table)
        print(
            json.dumps({"files": args.files, "kib": args.kib, "baseline": baseline.row(), "ours": ours.row()})
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
