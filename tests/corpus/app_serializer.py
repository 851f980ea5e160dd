# A realistic program: a JSON-like serializer and parser written from
# scratch -- recursive encoding of dicts / lists / tuples / strings (with
# escapes and \\u sequences) / ints / floats / bools / None / custom objects
# via a default hook, pretty printing with indentation, sorted keys,
# cycle detection (ValueError), a character-level parser with position-
# accurate error messages, round-trip checks against the stdlib json module,
# and an uncaught parse error at the end.
import json
import math


class EncodeError(ValueError):
    pass


class DecodeError(ValueError):
    def __init__(self, msg, pos, text):
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        super().__init__("%s at line %d column %d (char %d)" % (msg, line, col, pos))
        self.pos = pos


ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
           "\f": "\\f"}


def encode_string(s):
    out = ['"']
    for ch in s:
        if ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) > 0x7E:
            code = ord(ch)
            if code > 0xFFFF:
                code -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)))
            else:
                out.append("\\u%04x" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class Encoder:
    def __init__(self, indent=None, sort_keys=False, default=None):
        self.indent = indent
        self.sort_keys = sort_keys
        self.default = default

    def encode(self, obj):
        return "".join(self._encode(obj, 0, set()))

    def _newline(self, level):
        if self.indent is None:
            return ""
        return "\n" + " " * (self.indent * level)

    def _encode(self, obj, level, active):
        if obj is None:
            yield "null"
        elif obj is True:
            yield "true"
        elif obj is False:
            yield "false"
        elif isinstance(obj, int):
            yield str(obj)
        elif isinstance(obj, float):
            if math.isnan(obj) or math.isinf(obj):
                raise EncodeError("cannot encode non-finite float %r" % obj)
            yield repr(obj)
        elif isinstance(obj, str):
            yield encode_string(obj)
        elif isinstance(obj, (list, tuple, dict)):
            if id(obj) in active:
                raise EncodeError("circular reference detected")
            active.add(id(obj))
            try:
                if isinstance(obj, dict):
                    yield from self._encode_dict(obj, level, active)
                else:
                    yield from self._encode_list(obj, level, active)
            finally:
                active.discard(id(obj))
        elif self.default is not None:
            yield from self._encode(self.default(obj), level, active)
        else:
            raise EncodeError("object of type %s is not serializable" % type(obj).__name__)

    def _encode_list(self, seq, level, active):
        if not seq:
            yield "[]"
            return
        yield "["
        for i, item in enumerate(seq):
            if i:
                yield "," if self.indent is not None else ", "
            yield self._newline(level + 1)
            yield from self._encode(item, level + 1, active)
        yield self._newline(level)
        yield "]"

    def _encode_dict(self, d, level, active):
        if not d:
            yield "{}"
            return
        items = sorted(d.items()) if self.sort_keys else d.items()
        yield "{"
        for i, (k, v) in enumerate(items):
            if not isinstance(k, str):
                if isinstance(k, (int, float, bool)) or k is None:
                    k = self.encode(k)
                else:
                    raise EncodeError("keys must be str, int, float, bool or None, not %s"
                                      % type(k).__name__)
            if i:
                yield "," if self.indent is not None else ", "
            yield self._newline(level + 1)
            yield encode_string(k)
            yield ": "
            yield from self._encode(v, level + 1, active)
        yield self._newline(level)
        yield "}"


class Parser:
    WS = " \t\n\r"

    def __init__(self, text):
        self.text = text
        self.pos = 0

    def error(self, msg):
        raise DecodeError(msg, self.pos, self.text)

    def skip_ws(self):
        while self.pos < len(self.text) and self.text[self.pos] in self.WS:
            self.pos += 1

    def parse(self):
        value = self.value()
        self.skip_ws()
        if self.pos != len(self.text):
            self.error("Extra data")
        return value

    def value(self):
        self.skip_ws()
        if self.pos >= len(self.text):
            self.error("Expecting value")
        ch = self.text[self.pos]
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.arr()
        if ch == '"':
            return self.string()
        if ch == "-" or ch.isdigit():
            return self.number()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return val
        self.error("Expecting value")

    def obj(self):
        self.pos += 1
        result = {}
        self.skip_ws()
        if self.text[self.pos:self.pos + 1] == "}":
            self.pos += 1
            return result
        while True:
            self.skip_ws()
            if self.text[self.pos:self.pos + 1] != '"':
                self.error("Expecting property name enclosed in double quotes")
            key = self.string()
            self.skip_ws()
            if self.text[self.pos:self.pos + 1] != ":":
                self.error("Expecting ':' delimiter")
            self.pos += 1
            result[key] = self.value()
            self.skip_ws()
            ch = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if ch == "}":
                return result
            if ch != ",":
                self.pos -= 1
                self.error("Expecting ',' delimiter")

    def arr(self):
        self.pos += 1
        result = []
        self.skip_ws()
        if self.text[self.pos:self.pos + 1] == "]":
            self.pos += 1
            return result
        while True:
            result.append(self.value())
            self.skip_ws()
            ch = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if ch == "]":
                return result
            if ch != ",":
                self.pos -= 1
                self.error("Expecting ',' delimiter")

    def string(self):
        self.pos += 1
        chunks = []
        while True:
            if self.pos >= len(self.text):
                self.error("Unterminated string")
            ch = self.text[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(chunks)
            if ch == "\\":
                esc = self.text[self.pos + 1:self.pos + 2]
                simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"',
                          "\\": "\\", "/": "/"}
                if esc in simple:
                    chunks.append(simple[esc])
                    self.pos += 2
                elif esc == "u":
                    code = int(self.text[self.pos + 2:self.pos + 6], 16)
                    self.pos += 6
                    if 0xD800 <= code < 0xDC00 and self.text[self.pos:self.pos + 2] == "\\u":
                        low = int(self.text[self.pos + 2:self.pos + 6], 16)
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        self.pos += 6
                    chunks.append(chr(code))
                else:
                    self.error("Invalid \\escape")
            else:
                chunks.append(ch)
                self.pos += 1

    def number(self):
        start = self.pos
        if self.text[self.pos] == "-":
            self.pos += 1
        while self.pos < len(self.text) and self.text[self.pos].isdigit():
            self.pos += 1
        is_float = False
        if self.text[self.pos:self.pos + 1] == ".":
            is_float = True
            self.pos += 1
            while self.pos < len(self.text) and self.text[self.pos].isdigit():
                self.pos += 1
        if self.text[self.pos:self.pos + 1] in ("e", "E"):
            is_float = True
            self.pos += 1
            if self.text[self.pos:self.pos + 1] in ("+", "-"):
                self.pos += 1
            while self.pos < len(self.text) and self.text[self.pos].isdigit():
                self.pos += 1
        literal = self.text[start:self.pos]
        if literal in ("-", ""):
            self.error("Expecting value")
        return float(literal) if is_float else int(literal)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def default_hook(obj):
    if isinstance(obj, Point):
        return {"__point__": [obj.x, obj.y]}
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise EncodeError("no default for %s" % type(obj).__name__)


DOC = {
    "name": "corpus \"test\"\n\ttabbed",
    "unicode": "caf\u00e9 \u2603 \U0001F600",
    "numbers": [0, -1, 2 ** 70, 3.5, -0.25, 1e-7, 1e22],
    "flags": [True, False, None],
    "nested": {"empty_list": [], "empty_dict": {}, "deep": [[[{"k": (1, 2)}]]]},
    "point": Point(1, 2),
    "set": {3, 1, 2},
    7: "int key",
}


def round_trip():
    enc = Encoder(default=default_hook)
    text = enc.encode(DOC)
    back = Parser(text).parse()
    ours_vs_stdlib = back == json.loads(text)
    pretty = Encoder(indent=2, sort_keys=False, default=default_hook).encode(
        {"a": [1, {"b": None}], "c": "d"})
    return text, ours_vs_stdlib, pretty


def encode_errors():
    out = []
    cyclic = [1]
    cyclic.append(cyclic)
    d = {}
    d["self"] = d
    for obj in (cyclic, d, {"x": float("nan")}, object(), {(1, 2): 3}, [Point(1, 2), 1j]):
        try:
            Encoder(default=default_hook if isinstance(obj, list) else None).encode(obj)
        except EncodeError as e:
            out.append("EncodeError: %s" % e)
    return out


def decode_errors():
    out = []
    for text in ['{"a": 1,}', "[1, 2", '{"a" 1}', '"unterminated', "[1] x", "", "{'a': 1}",
                 '["bad \\q escape"]', "-", '{"k": [1, 2, {"z": tru}]}', "[1,\n 2,\n oops]"]:
        try:
            Parser(text).parse()
        except DecodeError as e:
            try:
                json.loads(text)
                stdlib = "stdlib accepted"
            except json.JSONDecodeError as je:
                stdlib = "stdlib pos %d" % je.pos
            out.append("%-28r -> %s | %s" % (text, e, stdlib))
    return out


text, same, pretty = round_trip()
print(text)
print(same)
print(pretty)
for line in encode_errors():
    print(line)
for line in decode_errors():
    print(line)
big = {"items": [{"id": i, "tags": ["t%d" % (i % 3)] * (i % 4), "score": i / 7} for i in range(60)]}
encoded = Encoder(sort_keys=True).encode(big)
print(len(encoded), Parser(encoded).parse() == big, encoded == json.dumps(big, sort_keys=True))
print(Parser('{"config": {"retries": 3, "hosts": ["a", "b"], "ratio": 0.5}}').parse())
Parser('{"config": {"retries": 3, "hosts": ["a", "b"] "ratio": 0.5}}').parse()
