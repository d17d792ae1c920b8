"""Front matter followed by an outline: emoji-led lines are headings, the lines under them points."""
import unicodedata

from ..hookspecs import hookimpl
from .base import ReadDocument, normalise_newlines, render_text, split_front_matter


def _emoji_led(line):
    return bool(line) and unicodedata.category(line[0]) == "So"


class EmojiOutlineReader:
    name = "emoji_outline"

    def detect(self, raw):
        firsts = [line[:1] for line in raw.splitlines()]
        if "#" in firsts:
            return 0
        # Symbols (category So) are all outside ASCII: only those first characters are looked up.
        led = sum(unicodedata.category(c) == "So" for c in firsts if c > "\x7f")
        return 30 if led >= 3 else 0

    def read(self, raw):
        metadata, body = split_front_matter(normalise_newlines(raw))
        blocks = []
        for line in body.strip("\n").splitlines():
            if _emoji_led(line):
                blocks.append(f"\n## {line.strip()}\n")
            elif line.strip():
                blocks.append(f"- {line.strip()}")
        markdown = "\n".join(blocks).strip("\n") + "\n"
        text, sections = render_text(markdown)
        return ReadDocument(self.name, markdown, text, sections, metadata)


@hookimpl
def register_readers(register):
    register(EmojiOutlineReader())
