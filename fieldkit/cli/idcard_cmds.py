"""ID-card application commands. `fieldkit idphoto IN --out OUT`: make a GA 461 photo.

Each subcommand below is self-contained (its own `_register_*` and handler), so the fingerprint
and card-reader commands can live in this module beside it.
"""

from __future__ import annotations

from pathlib import Path

from fieldkit.domain.errors import ExitCode
from fieldkit.services import idphoto as idphoto_service
from fieldkit.services.files import atomic_write


def register(sub) -> None:
    _register_idphoto(sub)


# -- idphoto ---------------------------------------------------------------------------------
def _register_idphoto(sub) -> None:
    p = sub.add_parser(
        "idphoto",
        help="crop a portrait to a resident-ID photo (358×441, 350 dpi) and check it / 制作身份证照片",
        description="Prints one JSON object: ok, checks (code, ok, message, message_en, value), "
        "metrics. Exit code 0 when every check passes, 4 otherwise; OUT is written whenever "
        "a face was found, so the result can be inspected.",
    )
    p.add_argument("input", metavar="IN", help="portrait image (JPEG, PNG …)")
    p.add_argument("--out", "-o", metavar="OUT", help="where to write the ID photo JPEG")
    p.add_argument("--no-whiten", action="store_true",
                   help="never brighten a uniform light-grey background / 不自动提亮浅灰背景")
    p.set_defaults(func=cmd_idphoto)


def cmd_idphoto(args, ctx) -> int:
    result = idphoto_service.process_file(Path(args.input), whiten=not args.no_whiten)
    out = None
    if args.out and result.jpeg is not None:
        out = Path(args.out)
        atomic_write(out, result.jpeg)
    report = {"file": str(args.input), "out": str(out) if out else None, **result.to_dict()}
    ctx.emit(report)
    for check in result.failed:
        ctx.say(f"✗ {check.message}", f"✗ {check.message_en}")
    if result.ok:
        ctx.say("照片符合要求", "The photo meets the specification")
    return int(ExitCode.OK) if result.ok else int(ExitCode.INVALID)
