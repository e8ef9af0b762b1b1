"""Reading report files: encodings, line endings, pages, and every kind of bad input."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.errors import LoaderError
from loaders.options import LoadOptions
from loaders.source import read_source
from loaders.text import read_text_bytes
from tests.conftest import NORTHANTS, NOTTS


def _texts(path: Path, data: bytes) -> list[str]:
    return [line.text for line in read_text_bytes(data, str(path)).lines]


def _error(path: Path, options: LoadOptions = LoadOptions()) -> str:
    with pytest.raises(LoaderError) as caught:
        read_source(path, options)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message


# --- decoding and line endings ----------------------------------------------------------------------


def test_utf8_sample_reads_with_metadata() -> None:
    data = NOTTS.read_bytes()
    source = read_text_bytes(data, str(NOTTS))
    assert (source.name, source.format, source.pages) == ("nottinghamshire-2007.txt", "text", None)
    assert source.sha256 == hashlib.sha256(data).hexdigest()
    assert source.warnings == ()
    assert [line.number for line in source.lines] == list(range(1, 2223))
    assert source.lines[1627] == type(source.lines[0])(1628, "Page 34", None)  # trailing space dropped


def test_cp1252_reads_with_warning_and_same_lines(tmp_path: Path) -> None:
    text = NOTTS.read_text(encoding="utf-8").replace("\u2212", "-")  # cp1252 has no minus sign
    source = read_text_bytes(text.encode("cp1252"), "notts-cp1252.txt")
    assert "decoded as cp1252, not UTF-8" in source.warnings
    assert [line.text for line in source.lines] == _texts(NOTTS, text.encode("utf-8"))
    assert any("‘" in line.text and "’" in line.text for line in source.lines)


def test_latin1_fallback_when_cp1252_cannot_decode() -> None:
    source = read_text_bytes("a caf\xe9 \x81 here, in a line of ordinary text".encode("latin-1"), "x.txt")
    assert source.warnings[0] == "decoded as latin-1, not UTF-8"
    assert (
        source.lines[0].text == "a café   here, in a line of ordinary text"
    )  # the C1 control became a space


def test_bom_is_stripped_and_utf16_is_read() -> None:
    assert read_text_bytes(b"\xef\xbb\xbfHello\n", "x.txt").lines[0].text == "Hello"
    utf16 = read_text_bytes("Hello ‘quoted’\nworld\n".encode("utf-16"), "x.txt")
    assert [line.text for line in utf16.lines] == ["Hello ‘quoted’", "world"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_give_the_same_lines(newline: str) -> None:
    text = NORTHANTS.read_text(encoding="utf-8")
    data = text.replace("\n", newline).encode("utf-8")
    assert _texts(NORTHANTS, data) == _texts(NORTHANTS, NORTHANTS.read_bytes())


def test_form_feeds_give_pages_and_keep_line_numbers() -> None:
    lines = NOTTS.read_text(encoding="utf-8").split("\n")[:-1]
    paged = [("\f" + t if i and i % 50 == 0 else t) for i, t in enumerate(lines)]
    source = read_text_bytes(("\n".join(paged) + "\n\f").encode(), "notts.txt")
    assert source.pages == 45
    assert [(ln.number, ln.text) for ln in source.lines] == [(i, t.rstrip()) for i, t in enumerate(lines, 1)]
    assert [ln.page for ln in source.lines[48:52]] == [1, 1, 2, 2]
    assert source.lines[-1].page == 45


def test_form_feed_in_mid_line_splits_it_on_the_same_number() -> None:
    source = read_text_bytes(b"one\ntwo\fthree\nfour\n", "x.txt")
    assert [(ln.number, ln.text, ln.page) for ln in source.lines] == [
        (1, "one", 1),
        (2, "two", 1),
        (2, "three", 2),
        (3, "four", 2),
    ]


def test_pages_from_a_complete_run_of_printed_footers() -> None:
    text = "Intro\ntext\nPage 1\nmore\nPage 2\nagain\n\nPage 3\nlast words\n"
    source = read_text_bytes(text.encode(), "x.txt")
    assert source.pages == 4
    assert [ln.page for ln in source.lines] == [1, 1, 1, 2, 2, 3, 3, 3, 4]


def test_sparse_footers_give_no_pages() -> None:
    source = read_text_bytes(NOTTS.read_bytes(), str(NOTTS))  # only "Page 4" and "Page 34" survive
    assert source.pages is None and all(line.page is None for line in source.lines)


def test_stray_control_character_is_replaced_with_warning() -> None:
    source = read_text_bytes(b"a line with a \x07bell in it\n" * 30, "x.txt")
    assert source.lines[0].text == "a line with a  bell in it"
    assert any("control character" in w for w in source.warnings)


# --- read_source: dispatch and bad inputs ----------------------------------------------------------------


def test_read_source_reads_text_by_content_whatever_the_name(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(NORTHANTS.read_bytes())
    source = read_source(target)
    assert source.format == "text" and source.name == "report.pdf"
    assert "named .pdf but contains plain text" in source.warnings[0]


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "absent.txt")


def test_directory(tmp_path: Path) -> None:
    assert "is a directory" in _error(tmp_path)


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    message = _error(link)
    assert "broken symbolic link" in message and "gone.txt" in message


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "secret.txt"
    target.write_text("text\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    assert "permission denied" in _error(target)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    target = tmp_path / "secret.txt"
    target.write_text("text\n")
    target.chmod(0)
    assert "permission denied" in _error(target)


def test_empty_and_whitespace_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "empty file" in _error(empty)
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\t\r\n\f\n")
    assert "only whitespace" in _error(blank)


def test_over_size_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "big.txt"
    target.write_bytes(b"x" * 2000)
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("read a file over the limit"))
    message = _error(target, LoadOptions(max_bytes=1000))
    assert "2,000 bytes" in message and "limit of 1,000 bytes" in message


def test_binary_garbage(tmp_path: Path) -> None:
    target = tmp_path / "garbage.txt"
    target.write_bytes(bytes(range(256)) * 8)
    assert "binary data" in _error(target)
    controls = tmp_path / "controls.txt"
    controls.write_bytes(bytes(range(1, 32)) * 20 + b"some text")
    assert "too many control characters" in _error(controls)


def test_zip_renamed_pdf(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"0" * 5_000_000)
    target = tmp_path / "report.pdf"
    target.write_bytes(buffer.getvalue())
    message = _error(target)
    assert "ZIP archive" in message and "no PDF header" in message


# --- properties ---------------------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(lambda t: t.encode("utf-8"))))
def test_read_text_bytes_returns_or_raises_loader_error(data: bytes) -> None:
    try:
        source = read_text_bytes(data, "x.txt")
    except LoaderError as error:
        assert error.path == "x.txt" and error.reason
        return
    assert source.lines and all(line.number >= 1 for line in source.lines)
    assert all("\n" not in line.text and "\r" not in line.text for line in source.lines)
