"""Text in a picture, word by word with where each word is (Tesseract, in-process).

Tesseract (Debian's ``tesseract-ocr`` with ``chi_sim`` and ``eng``) runs through tesserocr's
API in this process — no subprocess and no temporary file per picture. One Tesseract engine
is not thread-safe and costs ~0.3 s to start, so each thread keeps its own
(:class:`TextReader` is shared, the engines are per thread).

The words are joined into one text the screener reads like a message: words on a line with
a space — except between two Chinese characters, which Tesseract often returns as separate
"words" though they are one phrase — and lines with a newline. Every word keeps its span in
that text and its box in the picture, so a lexicon match can say where it was read
(:meth:`ReadText.box_of`).
"""

from __future__ import annotations

import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from warden.domain.verdicts import Box
from warden.errors import MediaError

#: ``chi_sim`` alone: its model reads Latin letters and digits as well (handles, prices,
#: English ads), while ``chi_sim+eng`` made Tesseract take whole Chinese phrases for English
#: garble ("上门服务" → "EMR") on the benchmark's rendered ads. ``eng`` stays installed for
#: deployments that pass ``languages="eng"`` or ``"chi_sim+eng"``.
LANGUAGES = "chi_sim"
#: Where Debian (and Tesseract 4) keep the language files, tried after $TESSDATA_PREFIX.
TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata")
#: Words Tesseract is less sure of are kept: on the benchmark's ads, dropping words under
#: confidence 30 lost 4 % of the banned terms (a hard 门 or 围 in the middle of a phrase).
MIN_CONFIDENCE = 0.0
#: Pictures whose short side is under this many pixels are enlarged first (thumbnails);
#: larger ones are read as they are — enlarging text already 20+ pixels high made
#: Tesseract read worse, not better.
MIN_SIDE = 160


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: int  # span in ReadText.text
    end: int
    box: Box
    confidence: float


@dataclass(frozen=True, slots=True)
class ReadText:
    """What Tesseract read: the text and its words."""

    text: str
    words: tuple[Word, ...]

    def box_of(self, start: int, end: int) -> Box | None:
        """The box around the words the span ``[start, end)`` of :attr:`text` touches."""
        boxes = [w.box for w in self.words if w.start < end and start < w.end]
        if not boxes:
            return None
        left = min(b[0] for b in boxes)
        top = min(b[1] for b in boxes)
        right = max(b[0] + b[2] for b in boxes)
        bottom = max(b[1] + b[3] for b in boxes)
        return (left, top, right - left, bottom - top)


def tessdata_path() -> str:
    """The folder with the language files; raises :class:`MediaError` naming where it
    looked (install ``tesseract-ocr-chi-sim`` and ``tesseract-ocr-eng``)."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA]
    for folder in filter(None, candidates):
        if all((Path(folder) / f"{lang}.traineddata").is_file() for lang in ("chi_sim", "eng")):
            return folder
    raise MediaError(
        f"OCR: no chi_sim and eng language files in {', '.join(filter(None, candidates))} "
        "(install tesseract-ocr-chi-sim and tesseract-ocr-eng)"
    )


class TextReader:
    """Reads text in pictures; one Tesseract engine per thread, made on first use."""

    def __init__(self, languages: str = LANGUAGES) -> None:
        self.languages = languages
        self._local = threading.local()

    def _engine(self) -> Any:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            from tesserocr import PSM, PyTessBaseAPI

            # SPARSE_TEXT: ads scatter short lines over a picture; on 80 of the benchmark's
            # ads it found 87.5 % of the banned terms, AUTO (page layout) 76 %, SINGLE_BLOCK
            # 81 % (bench/media.py's 300: 81 %, docs/media.md)
            engine = PyTessBaseAPI(path=tessdata_path(), lang=self.languages, psm=PSM.SPARSE_TEXT)
            self._local.engine = engine
        return engine

    def read(self, image: Image.Image) -> ReadText:
        """The text in ``image`` (boxes in the picture's own pixels)."""
        from tesserocr import RIL, iterate_level

        grey = image.convert("L")
        scale = 1.0
        if min(grey.size) < MIN_SIDE:
            scale = min(3.0, MIN_SIDE / max(1, min(grey.size)))
            grey = grey.resize(
                (round(grey.width * scale), round(grey.height * scale)),
                Image.Resampling.LANCZOS,
            )
        engine = self._engine()
        engine.SetImage(grey)
        try:
            engine.Recognize()
        except RuntimeError as exc:  # tesserocr's way of saying Tesseract gave up
            raise MediaError(f"OCR: Tesseract could not read the picture ({exc})") from exc
        pieces: list[str] = []
        words: list[Word] = []
        length = 0
        line_open = False
        iterator = engine.GetIterator()
        for word in iterate_level(iterator, RIL.WORD):
            try:
                text = (word.GetUTF8Text(RIL.WORD) or "").strip()
            except RuntimeError:  # "No text returned": an empty word (a speck, a line)
                text = ""
            confidence = float(word.Confidence(RIL.WORD))
            at_line_end = word.IsAtFinalElement(RIL.TEXTLINE, RIL.WORD)
            if text and confidence >= MIN_CONFIDENCE:
                if line_open and not (_cjk(pieces[-1][-1]) and _cjk(text[0])):
                    pieces.append(" ")
                    length += 1
                x1, y1, x2, y2 = word.BoundingBox(RIL.WORD)
                box = (
                    round(x1 / scale),
                    round(y1 / scale),
                    round((x2 - x1) / scale),
                    round((y2 - y1) / scale),
                )
                words.append(Word(text, length, length + len(text), box, confidence))
                pieces.append(text)
                length += len(text)
                line_open = True
            if at_line_end and line_open:
                pieces.append("\n")
                length += 1
                line_open = False
        return ReadText("".join(pieces).rstrip("\n"), tuple(words))


def _cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")
