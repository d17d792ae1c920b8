r"""Transcripts: speaker-labelled turns with timestamps, one turn per line, or WebVTT with <v Name> voices.

Recognised turn lines (several in a row make a transcript; see detect):

    Speaker Name [00:01:02]: text        Speaker Name (01:02): text
    [00:01:02] Speaker Name: text        00:01:02 Speaker Name: text      (also "00:01:02 - Name: text")

and WebVTT files (``WEBVTT`` first), whose cues carry the speaker as ``<v Name>``.

Each turn becomes ONE markdown paragraph (a blank line between turns) of the canonical shape

    **Speaker Name:** \[00:01:02\] text of the turn

the shape the Changelog transcripts are written in, so the proposer finds speakers in both with one
rule. In the text (render_text) this reads ``Speaker Name: [00:01:02] text of the turn``: the turn's
words verbatim (markdown characters in them are escaped in the markdown, never interpreted).
A line that is not a turn continues the turn above it, on a line of its own in the same paragraph;
after a blank line it is a paragraph of its own. ``#`` heading lines stay headings. WebVTT: the
cue's start time without its fraction; consecutive cues of one voice are one turn, joined on one
line with spaces (so a sentence split across cues is still one substring); a cue without a voice
continues the voice before it; cue tags are dropped and entities decoded.
"""
import html
import re

from ..hookspecs import hookimpl
from .base import ReadDocument, normalise_newlines, render_text, split_front_matter

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A name: one to five words, the first starting with a letter; no colon, so it ends at the first one.
_NAME = r"[^\W\d][\w'’.\-]*(?: [\w'’.\-]+){0,4}"
_TURNS = (
    # Speaker Name [00:01:02]: text | Speaker Name (01:02): text
    re.compile(rf"(?P<name>{_NAME})[ \t]*[\[(](?P<time>{_TIME})[\])][ \t]*:(?:[ \t]+(?P<text>.*))?"),
    # [00:01:02] Speaker Name: text | 00:01:02 Speaker: text | (01:02) - Speaker: text
    re.compile(rf"[\[(]?(?P<time>{_TIME})[\])]?[ \t]+(?:[-–—|][ \t]*)?(?P<name>{_NAME})[ \t]*:(?:[ \t]+(?P<text>.*))?"),
)
_STAMP = re.compile(r"\d:\d\d")  # no timestamp anywhere: not a transcript, and no line need be matched
_HEADING = re.compile(r"#{1,6}[ \t]")
_RUN = 3  # turn lines in a row that make a transcript: blank lines aside, and
_CONTINUATIONS = 2  # up to this many other lines (a turn's continuation) between two of them
_HEAD_CHARS = 30_000  # detect looks at the start of the file only: it runs on every document

_SPECIAL = re.compile(r"([\\`*_\[\]<>#&|~])")
_BLOCK_START = re.compile(r"[-+=]|\d{1,9}[.)](?:[ \t]|$)")  # would open a list or underline a heading

_VTT_TIMING = re.compile(rf"(?P<start>{_TIME})[ \t]+-->[ \t]+{_TIME}")
_VTT_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_VTT_TAG = re.compile(r"</?[^>]*>")


def _turn(line):
    for pattern in _TURNS:
        if m := pattern.fullmatch(line):
            return m
    return None


def escape(text):
    """Plain words as markdown that renders (and render_text reads) as exactly those words."""
    text = _SPECIAL.sub(lambda m: "\\" + m.group(1), text)
    if m := _BLOCK_START.match(text):  # at a line start: a \ before the marker's - + = . or )
        at = len(m.group().rstrip(" \t")) - 1
        text = text[:at] + "\\" + text[at:]
    return text


def turn_markdown(name, time, text):
    """The canonical turn paragraph's first line."""
    head = f"**{escape(name.strip())}:**" + (f" \\[{time}\\]" if time else "")
    return f"{head} {escape(text)}" if text else head


class TranscriptReader:
    name = "transcript"

    def detect(self, raw):
        head = raw[:_HEAD_CHARS]
        if head.startswith("WEBVTT"):
            return 45
        if not _STAMP.search(head):
            return 0
        run, turns, lines, others = 0, 0, 0, 0
        for line in head.split("\n"):
            line = line.strip()
            if not line:
                continue
            lines += 1
            if _turn(line):
                run, turns, others = run + 1, turns + 1, 0
                if run >= _RUN:
                    return 45  # above markdown_html: a WebVTT <v> voice looks like an HTML tag
            else:
                others += 1
                if others > _CONTINUATIONS:
                    run = 0
        # turns each followed by a line of their own: most lines still open a turn
        return 45 if turns >= 5 and turns * 5 >= lines * 2 else 0

    def read(self, raw):
        metadata, body = split_front_matter(normalise_newlines(raw))
        blocks = _vtt_blocks(body) if body.startswith("WEBVTT") else _line_blocks(body)
        markdown = "\n\n".join(blocks) + "\n"
        text, sections = render_text(markdown)
        return ReadDocument(self.name, markdown, text, sections, metadata)


def _line_blocks(body):
    blocks, current, gap = [], None, True
    for line in body.split("\n"):
        line = line.strip()
        if not line:
            gap = True
            continue
        if m := _turn(line):
            current = [turn_markdown(m["name"], m["time"], m["text"] or "")]
            blocks.append(current)
        elif _HEADING.match(line):
            blocks.append([line])
            current = None
        elif current is not None and not gap:
            current.append(escape(line))  # continues the turn: a line of its own in its paragraph
        else:
            current = [escape(line)]
            blocks.append(current)
        gap = False
    return ["\n".join(block) for block in blocks]


def _vtt_blocks(body):
    """One paragraph per run of cues with the same voice."""
    turns = []  # [voice, time, [texts]]
    voice = None
    for cue in re.split(r"\n[ \t]*\n", body):
        lines = cue.strip("\n").split("\n")
        timing = next((i for i, line in enumerate(lines) if _VTT_TIMING.match(line.strip())), None)
        if timing is None:  # the header, NOTE, STYLE and REGION blocks
            continue
        time = _VTT_TIMING.match(lines[timing].strip())["start"].split(".")[0].split(",")[0]
        for line in lines[timing + 1:]:
            if found := _VTT_VOICE.search(line):
                voice = found.group(1).strip()
            words = " ".join(html.unescape(_VTT_TAG.sub("", line)).split())
            if not words:
                continue
            if turns and turns[-1][0] == voice:
                turns[-1][2].append(words)
            else:
                turns.append([voice, time, [words]])
    return [turn_markdown(v, t, " ".join(ws)) if v else f"\\[{t}\\] {escape(' '.join(ws))}" for v, t, ws in turns]


@hookimpl
def register_readers(register):
    register(TranscriptReader())
