"""Bytes -> text for delimited files: detects the encoding, never drops or mangles a row.

Order of checks (first match wins):
1. a byte-order mark: UTF-8 (`utf-8-sig`), UTF-32 (`utf-32`), UTF-16 (`utf-16`, Excel's
   "Unicode text");
2. UTF-16 without a BOM, recognised by its NUL bytes (`utf-16-le` / `utf-16-be`);
3. strict UTF-8 (`utf-8`);
4. otherwise line by line: lines that are valid UTF-8 stay UTF-8, the others are Windows-1252
   (what Excel writes on Windows), with the five bytes cp1252 leaves undefined read as Latin-1.
   The label is `cp1252` when a byte in 0x80-0x9F (smart quotes, dashes, euro) was seen,
   `latin-1` when the text is plain ISO-8859-1 (both decode such files identically), and
   `utf-8+cp1252` for a file that mixes both (rows appended from different exports).

Every byte decodes to some character, so no row is ever lost to an encoding error.
"""

from __future__ import annotations

import codecs
import re

from sync.ingest.errors import IngestError

_C1_BYTES = re.compile(rb"[\x80-\x9f]")


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: read those bytes as Latin-1."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("engage_latin1_fallback", _latin1_fallback)


def _single_byte(data: bytes) -> str:
    return data.decode("cp1252", errors="engage_latin1_fallback")


def _looks_utf16(data: bytes) -> str | None:
    """`utf-16-le`/`utf-16-be` for BOM-less UTF-16 (mostly-ASCII text: NUL in every other byte)."""
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode a delimited text file's bytes; returns (text, encoding label).

    `name` is only used in error messages. Raises IngestError for a file that is binary or a
    UTF-16/32 file that is cut or corrupt (those cannot be read without losing rows).
    """
    for bom, label in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            if label == "utf-8-sig":
                text, found = _decode_utf8_or_single_byte(data[len(bom) :])
                return text, "utf-8-sig" if found in ("utf-8", "ascii") else found
            return _decode_strict(data, label, name), label
    utf16 = _looks_utf16(data)
    if utf16:
        return _decode_strict(data, utf16, name), utf16
    if b"\x00" in data[:4096]:
        raise IngestError(
            f"{name}: looks like a binary file, not delimited text (NUL bytes found). "
            "Export it as CSV (UTF-8) or XLSX, or move it out of the raw folder."
        )
    text, label = _decode_utf8_or_single_byte(data)
    return text, "utf-8" if label == "ascii" else label


def _decode_strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{name}: declared {encoding} (byte-order mark) but cannot be decoded as {encoding} "
            f"at byte {exc.start}: {exc.reason}. The file may be truncated; re-export it."
        ) from exc
    return text.removeprefix("\ufeff")


def _decode_utf8_or_single_byte(data: bytes) -> tuple[str, str]:
    """UTF-8 if the whole file is valid, else per line UTF-8 or cp1252 (see module docstring)."""
    if data.isascii():
        return data.decode("ascii"), "ascii"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.decode("utf-8", errors="ignore").isascii():  # not one valid UTF-8 sequence
        return _single_byte(data), _single_byte_label(data)
    parts: list[str] = []
    utf8_lines = 0
    for line in data.splitlines(keepends=True):
        if line.isascii():
            parts.append(line.decode("ascii"))
            continue
        try:
            parts.append(line.decode("utf-8"))
            utf8_lines += 1
        except UnicodeDecodeError:
            parts.append(_single_byte(line))
    if utf8_lines:
        return "".join(parts), "utf-8+cp1252"
    return "".join(parts), _single_byte_label(data)


def _single_byte_label(data: bytes) -> str:
    return "cp1252" if _C1_BYTES.search(data) else "latin-1"
