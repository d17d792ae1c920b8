"""Where the mappings, keys and list items of a YAML text begin, read from its indentation.

The seeds' parser (yaml_rs) keeps no positions. A text it accepted is indented as YAML requires,
so one pass over the lines with a stack of the open block collections finds the line of every
block mapping, each of its keys and every list item, by address: the path of list indexes and
keys from the top, as in data[0]["resolutions"][1]. Scalars and flow collections ([a, b],
{k: v}) are not entered: whatever is inside one is where it begins. Only asked when a problem
has to name a line.
"""
import re

# A key and its ':' (quoted, or plain up to ': '): what starts a block mapping's line.
_KEY = re.compile(r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"\[\]{},&*!|>%@`?][^#]*?))[ \t]*:(?:[ \t]|$)""")


class LineIndex:
    def __init__(self, text):
        self.lines = {}  # address: line of a mapping or list item
        self.keys = {}  # address of a mapping: {key: line}
        self.twice = {}  # address of a mapping: [(key, line) of each repeat]
        try:
            self._scan(text)
        except Exception:  # noqa: BLE001 - lines are a courtesy: a text this pass misreads still loads
            pass

    def line(self, address):
        """The line of the value at address: its own, or the line of the key or item holding it."""
        address = tuple(address)
        while address:
            if address in self.lines:
                return self.lines[address]
            holder = self.keys.get(address[:-1], {})
            if address[-1] in holder:
                return holder[address[-1]]
            address = address[:-1]
        return self.lines.get((), 1)

    def key_lines(self, address):
        return self.keys.get(tuple(address), {})

    def _scan(self, text):
        stack = []  # open block collections: [column, address, "map" or "seq", current key or index]
        scalar_above = None  # lines indented more than this column go on with a scalar
        for number, line in enumerate(text.split("\n"), 1):  # YAML 1.2's line breaks (not \x85 or \u2028, as in 1.1)
            line = line.removesuffix("\r")
            stripped = line.lstrip(" ")
            if not stripped or stripped[0] == "#":
                continue
            col = len(line) - len(stripped)
            if scalar_above is not None:
                if col > scalar_above:
                    continue
                scalar_above = None
            if col == 0 and (stripped[0] == "%" or stripped[:3] in ("---", "...") and stripped[3:4] in ("", " ", "\t")):
                stack = []  # a directive or a document marker
                continue
            while stack and stack[-1][0] > col:
                stack.pop()
            pos = col
            while True:
                if line[pos] == "-" and line[pos + 1:pos + 2] in ("", " ", "\t"):
                    top = stack[-1] if stack else None
                    if not (top and top[0] == pos and top[2] == "seq"):  # a new list (it may share its key's column)
                        top = [pos, _child(stack), "seq", -1]
                        stack.append(top)
                    top[3] += 1
                    self.lines[(*top[1], top[3])] = number
                    pos += 1
                    while pos < len(line) and line[pos] in " \t":
                        pos += 1
                    if pos == len(line) or line[pos] == "#":
                        break  # the item is on the lines below
                    continue  # "- key: value" or "- - item" on this line
                found = _KEY.match(line, pos)
                if found is None:  # a scalar or a flow collection: its further lines are indented more than its holder
                    scalar_above = stack[-1][0] if stack else -1
                    break
                top = stack[-1] if stack else None
                if top and top[0] == pos and top[2] == "seq":  # the list ended, at its key's column
                    stack.pop()
                    top = stack[-1] if stack else None
                if not (top and top[0] == pos and top[2] == "map"):
                    top = [pos, _child(stack), "map", None]
                    stack.append(top)
                    self.lines[top[1]] = number
                double, single, plain = found.groups()
                key = plain if plain is not None else double if double is not None else single.replace("''", "'")
                top[3] = key
                keys = self.keys.setdefault(top[1], {})
                if key in keys:
                    self.twice.setdefault(top[1], []).append((key, number))
                keys[key] = number
                rest = line[found.end():].strip()
                if rest and rest[0] != "#":  # a value on the key's line (a block scalar's | too): the lines below indented more go on with it
                    scalar_above = pos
                break


def _child(stack):
    """The address of a collection opening inside the innermost open one."""
    if not stack:
        return ()
    _, address, _, current = stack[-1]
    return (*address, current)
