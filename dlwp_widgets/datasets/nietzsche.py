"""Nietzsche: about 600,000 characters of English translations (chapter 8.1).

Real data: ``nietzsche.txt`` from the S3 bucket the book (and Keras' old example)
downloads.  Nobody publishes a checksum or byte size for it, and public copies in
other repositories differ (lower-cased, punctuation stripped), so no hash is
pinned.  The file is verified by its content instead, against what the author's
own executed notebook prints for it: after lower-casing, 600,893 characters and
57 distinct symbols.  A lower-cased copy is also refused (the original has
capitals; the book lower-cases it itself).

Stand-in: real English prose that ships with Python, the reference-manual
topics of ``pydoc_data.topics`` (about 465,000 characters), with grammar
blocks, code examples and table borders removed, curly quotes and dashes
folded to ASCII, and lower-cased like the book's corpus: 238,813 characters
over 52 symbols, so about 40% of the real corpus's size (600,893 over 57).
"""

from __future__ import annotations

import re
from pathlib import Path

from dlwp_widgets.datasets import core

TITLE = "Nietzsche corpus"
NAME = "nietzsche"
CORPUS_LENGTH = 600_893  # len(text.lower()) as printed by the author's notebook
VOCABULARY_SIZE = 57  # len(set(text.lower())), same source


def check_file(path: Path) -> str | None:
    """What is wrong with the file at ``path`` as the book's corpus, or None when it is right."""
    try:
        return check_text(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        return f"not UTF-8 text ({error.reason} at byte {error.start})"


FILES = (
    core.RemoteFile(
        filename="nietzsche.txt",
        url="https://s3.amazonaws.com/text-datasets/nietzsche.txt",
        file_hash=None,
        verify=check_file,
        verify_description=(
            f"content: {CORPUS_LENGTH:,} characters and {VOCABULARY_SIZE} distinct symbols "
            "once lower-cased, with capitals in the original"
        ),
        note=(
            "No trustworthy checksum or byte size is published; copies elsewhere differ. "
            "Verified by content: 600,893 characters / 57 symbols after lower-casing, as the "
            "author's executed notebook (fchollet/deep-learning-with-python-notebooks, "
            "first_edition/8.1) prints."
        ),
        max_bytes=1_000_000,  # the file is 600,901 bytes
    ),
)

STANDIN_DESCRIPTION = (
    "Python's own reference-manual prose (pydoc_data.topics) with code and grammar blocks "
    "removed, lower-cased: real English, but about programming, not Nietzsche."
)

_ASCII_FOLDS = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "--", "\u2013": "-",
     "\u2026": "...", "\u00df": "ss", "\u00b0": None, "_": None, "*": None, "\\": None}
)
_MARKUP = re.compile(r"[{}\[\]|<>=#~^@&]")


def fetch() -> None:
    """Download (or find) the real file and verify its content."""
    load_real()


def check_text(text: str) -> str | None:
    """What is wrong with ``text`` as the book's corpus, or None when it is right."""
    lowered = text.lower()
    problems = []
    if len(lowered) != CORPUS_LENGTH:
        problems.append(f"{len(lowered):,} characters instead of {CORPUS_LENGTH:,}")
    if len(set(lowered)) != VOCABULARY_SIZE:
        problems.append(f"{len(set(lowered))} distinct symbols instead of {VOCABULARY_SIZE}")
    if lowered == text:
        problems.append("no capital letters (a lower-cased copy, not the original)")
    return "; ".join(problems) or None


def load_real() -> str:
    """The verified original text (``core.fetch`` runs :func:`check_file` before trusting it)."""
    return core.fetch(FILES[0]).read_text(encoding="utf-8")


def generate_standin() -> str:
    """Prose paragraphs of Python's reference manual (see the module docstring)."""
    from pydoc_data.topics import topics

    paragraphs = []
    for key in sorted(topics):
        for paragraph in re.split(r"\n\s*\n", topics[key]):
            lines = paragraph.strip("\n").splitlines()
            if not lines or paragraph.startswith((" ", "\t")):
                continue  # indented: grammar productions and code examples
            if set(lines[-1].strip()) <= set("*=-"):
                continue  # a heading and its underline
            cleaned = _MARKUP.sub("", paragraph.translate(_ASCII_FOLDS))
            letters = sum(char.isalpha() or char.isspace() for char in cleaned)
            if letters < 0.8 * len(cleaned):
                continue  # tables and symbol lists
            paragraphs.append(re.sub(r" {2,}", " ", cleaned))
    return "\n\n".join(paragraphs).lower()


def load_standin() -> str:
    return generate_standin()


def load_text(source: str = "auto") -> str:
    """The corpus as one string (the real text keeps its capitals; lower-case it like the book)."""
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=load_real,
        load_standin=load_standin,
        standin_description=STANDIN_DESCRIPTION,
    )


load_data = load_text
