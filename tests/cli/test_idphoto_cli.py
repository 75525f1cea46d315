"""`fieldkit idphoto IN --out OUT`: one JSON object, exit 0 or 4, OUT written when a face was found."""

from __future__ import annotations

import json

import cv2
import pytest
from PIL import Image

import fieldkit.cli as cli
from fieldkit.domain.errors import ExitCode
from tests.imaging import portraits as P


@pytest.fixture
def run(monkeypatch, capsys):
    assert "fieldkit.cli.idcard_cmds" in cli.COMMAND_MODULES
    # Only this command group: the others are built in parallel and are not under test here.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("fieldkit.cli.idcard_cmds",))

    def _run(*argv: str) -> tuple[int, list[dict], str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines() if line.strip()], err

    return _run


def test_good_portrait_exits_0_and_writes_the_photo(run, tmp_path):
    src, out = tmp_path / "in.jpg", tmp_path / "out.jpg"
    cv2.imwrite(str(src), P.good())
    code, lines, err = run("--lang", "zh", "idphoto", str(src), "--out", str(out))
    assert code == ExitCode.OK
    assert len(lines) == 1
    report = lines[0]
    assert report["ok"] is True and report["out"] == str(out)
    codes = {c["code"]: c for c in report["checks"]}
    assert {"face_count", "head_tilt", "exposure", "sharpness", "background", "geometry", "eyes_open"} <= set(codes)
    assert codes["eyes_open"]["ok"] is None
    assert report["metrics"]["face_width_px"] == pytest.approx(207, abs=1)
    img = Image.open(out)
    assert img.size == (358, 441) and img.info["dpi"] == (350, 350)
    assert "照片符合要求" in err


def test_dark_portrait_exits_4_explains_and_still_writes(run, tmp_path):
    src, out = tmp_path / "dark.png", tmp_path / "out.jpg"
    cv2.imwrite(str(src), P.dark())
    code, lines, err = run("idphoto", str(src), "--out", str(out))
    assert code == ExitCode.INVALID
    failed = [c for c in lines[0]["checks"] if c["ok"] is False]
    assert any(c["code"] == "exposure" for c in failed)
    assert "面部太暗" in err
    assert out.exists()


def test_no_face_exits_4_and_writes_nothing(run, tmp_path):
    src, out = tmp_path / "coffee.png", tmp_path / "out.jpg"
    cv2.imwrite(str(src), P.no_face())
    code, lines, _ = run("--lang", "en", "idphoto", str(src), "--out", str(out))
    assert code == ExitCode.INVALID
    assert lines[0]["out"] is None and not out.exists()


def test_missing_and_broken_files_are_plain_errors(run, tmp_path):
    code, lines, err = run("idphoto", str(tmp_path / "nope.jpg"))
    assert code == ExitCode.NOT_FOUND and lines == [] and "找不到文件" in err
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image at all")
    code, _, err = run("idphoto", str(junk))
    assert code == ExitCode.ERROR and "无法读取这张图片" in err
