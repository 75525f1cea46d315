"""The ledger writer's helper process (see helper_process.py, which starts it and speaks to it).

Run by file path as `python -u _writer_helper.py`. It reads pickled messages from its parent on
stdin — a header {fmt, layout, out, total, summary, options}, then ("rows", [row, ...]) batches,
then ("end", summary triples or None), or ("cancel",) at any point — runs `write_ledger` on
the rows as they arrive, and answers with one pickled message on stdout:
("ok", LedgerResult) | ("cancelled",) | ("error", class name, message, message_en, field, code)
| ("bug", traceback text). The messages come from the parent that started it and nobody else,
which is why pickle is fit here. EOF on stdin (the parent went away) counts as a cancel: the
target is never created, as for any cancelled ledger.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from pathlib import Path

# Import the fieldkit this file belongs to; the script's own folder (which `python FILE` puts
# first on the path) would shadow modules with its files' names.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parents[1])] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]


def main() -> int:
    inp = sys.stdin.buffer
    reply_to = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print() from a library must not corrupt the reply

    from fieldkit.domain.errors import Cancelled, UserFacingError
    from fieldkit.ledger import write_ledger

    later: dict[str, list | None] = {"triples": None}

    def rows():
        while True:
            try:
                message = pickle.load(inp)
            except EOFError:
                raise Cancelled("the parent went away") from None
            if message[0] == "rows":
                yield from message[1]
            elif message[0] == "end":
                later["triples"] = message[1]
                return
            else:
                raise Cancelled("export cancelled")

    class Summary:
        """The parent's triples: known once the last row went past, read by the writer after it."""

        def __iter__(self):
            return iter(later["triples"] or ())

    reply: tuple
    try:
        header = pickle.load(inp)
        reply = ("ok", write_ledger(header["layout"], rows(), header["out"], header["fmt"],
                                    total=header["total"], helper=False,
                                    summary=Summary() if header["summary"] else None, **header["options"]))
    except (Cancelled, EOFError):
        reply = ("cancelled",)
    except UserFacingError as exc:
        reply = ("error", type(exc).__name__, exc.message, exc.message_en, exc.field, exc.code)
    except Exception:
        reply = ("bug", traceback.format_exc())
    pickle.dump(reply, reply_to, protocol=pickle.HIGHEST_PROTOCOL)
    reply_to.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
