"""Time to print one household's file (一户一档), next to the PDF writer alone.

    python -m bench.record_print_bench            # demo township of 300 people, 20 runs
    python -m bench.record_print_bench --quick    # smoke run

The household is the demo address with the most records pointing at it; each of its residents
gets a 3000×4000 phone-sized JPEG photo (stored encrypted, as the camera would leave it).
"print" is `services.record_print.print_record` to a file — reading the record, the related
records, decrypting the photos, laying out and writing the PDF atomically, auditing; "build"
is the service's part alone (no PDF), "writer" is `ledger.record_pdf.write_record_pdf` of the
already built document into memory (decoding and scaling the photos included).
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

from fieldkit.ledger.record_pdf import write_record_pdf
from fieldkit.services import demo, door, record_print
from fieldkit.services import workspace as wsvc


def phone_photo(seed: int) -> bytes:
    im = Image.linear_gradient("L").resize((3000, 4000)).convert("RGB")
    im.paste((seed * 37 % 255, 90, 160), (800, 800, 2200, 2600))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def busiest_address(ws) -> str:
    rows = ws.store.records.rows(ws.store.records.ids("addresses"))
    return max(rows, key=lambda r: len(ws.store.records.referencing(r.uuid))).uuid


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=300)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.people, args.runs = 120, 3
    with tempfile.TemporaryDirectory(prefix="fk-print-bench-") as tmp:
        ws, _ = wsvc.create(Path(tmp) / "home", "chief", "correct horse battery staple", display_name="陈所长")
        demo.generate(ws, seed=5, people=args.people)
        uuid = busiest_address(ws)
        residents = [r for r in ws.store.records.referencing(uuid) if r.module == "residents" and not r.deleted]
        for i, r in enumerate(residents):
            sha = ws.store.attachments.put(phone_photo(i), kind="photo", record_uuid=r.uuid)
            door.save(ws, "residents", {"photo": sha}, r.uuid, partial=True)
        out = Path(tmp) / "hh.pdf"
        print_ms, printed = timed(lambda: record_print.print_record(ws, uuid, out), args.runs)
        build_ms, built = timed(lambda: record_print.build(ws, uuid), args.runs)
        doc = built[2]  # type: ignore[index]
        writer_ms, _ = timed(lambda: write_record_pdf(doc, io.BytesIO()), args.runs)
        ws.lock()
        size = out.stat().st_size
    related = sum(len(b.rows) for b in doc.blocks if hasattr(b, "rows"))
    print(f"household file: {len(residents)} residents with photos, {related} table rows, "
          f"{printed.pages} pages, {size / 1024:.0f} KiB")  # type: ignore[attr-defined]
    print(f"{'step':<34}{'median ms':>10}")
    print(f"{'print (service + writer + file)':<34}{print_ms:>10.1f}")
    print(f"{'build (service: records, photos)':<34}{build_ms:>10.1f}")
    print(f"{'writer alone (into memory)':<34}{writer_ms:>10.1f}")


if __name__ == "__main__":
    main()
