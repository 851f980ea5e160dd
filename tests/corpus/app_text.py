# A realistic text-processing program: word frequencies (collections.Counter
# with deterministic tie-breaking), regular expressions (findall / sub with
# a function / named groups / compiled pattern errors), str methods in hot
# loops (split / strip / join / replace / find / partition / translate /
# casefold / zfill / center), textwrap, a Caesar cipher and run-length
# encoding round trips, a CSV-ish parser with quoting and error reporting,
# string building with io.StringIO, unicode normalisation, and a template
# renderer raising KeyError for missing fields (uncaught at the end).
import collections
import io
import re
import string
import textwrap
import unicodedata

TEXT = """\
It was the best of times, it was the worst of times, it was the age of
wisdom, it was the age of foolishness, it was the epoch of belief, it was
the epoch of incredulity, it was the season of Light, it was the season of
Darkness, it was the spring of hope, it was the winter of despair.
Contact: dickens@example.com, editor@press.co.uk on 1859-04-30 or 1859-11-26.
"""


def word_frequencies(text):
    words = re.findall(r"[a-z]+", text.lower())
    counts = collections.Counter(words)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    return len(words), len(counts), top


def regex_features(text):
    emails = re.findall(r"[\w.]+@[\w.]+\w", text)
    dates = [m.groupdict() for m in re.finditer(r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)", text)]
    shouted = re.sub(r"\b(\w)(\w*)\b", lambda m: m.group(1).upper() + m.group(2), "the quick fox")
    splitted = re.split(r"[,;]\s*", "a, b;c ,d")
    pattern = re.compile(r"(\d+)")
    numbers = [int(n) for n in pattern.findall("x1y22z333")]
    errors = []
    for bad in ("(unclosed", "*lead", "[z-a]"):
        try:
            re.compile(bad)
        except re.error as e:
            errors.append("re.error: %s" % e)
    return emails, dates, shouted, splitted, numbers, errors


def string_methods():
    s = "  Hello, World!  "
    table = str.maketrans("lo", "01", "!")
    return [s.strip(), s.lstrip(), s.rstrip(), s.split(","), s.strip().lower(), s.upper(),
            s.find("World"), s.find("nope"), s.count("l"), s.replace("l", "L", 2),
            s.strip().partition(", "), s.rpartition("o"), s.translate(table),
            "ß".casefold(), "42".zfill(6), "mid".center(9, "*"), "a-b-c".rsplit("-", 1),
            "Title case words".title(), "snake_case_name".split("_"), "x".join("abc"),
            "tab\tsep".expandtabs(4), "ab" in "cabd", "abc".startswith(("x", "a")),
            " ".join(reversed("one two three".split())), "%-6s|" % "pad", "{:^7}".format("c")]


def caesar(text, shift):
    lower = string.ascii_lowercase
    upper = string.ascii_uppercase
    table = str.maketrans(lower + upper, lower[shift:] + lower[:shift] + upper[shift:] + upper[:shift])
    return text.translate(table)


def rle_encode(s):
    out = []
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append("%d%s" % (j - i, s[i]))
        i = j
    return "".join(out)


def rle_decode(s):
    return "".join(ch * int(n) for n, ch in re.findall(r"(\d+)(\D)", s))


class ParseError(ValueError):
    pass


def parse_csv(text):
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        fields, field, quoted, i = [], [], False, 0
        while i < len(line):
            ch = line[i]
            if quoted:
                if ch == '"' and line[i + 1:i + 2] == '"':
                    field.append('"')
                    i += 1
                elif ch == '"':
                    quoted = False
                else:
                    field.append(ch)
            elif ch == '"':
                quoted = True
            elif ch == ",":
                fields.append("".join(field))
                field = []
            else:
                field.append(ch)
            i += 1
        if quoted:
            raise ParseError("line %d: unterminated quote" % lineno)
        fields.append("".join(field))
        rows.append(fields)
    return rows


def render(template, **fields):
    return string.Template(template).substitute(fields)


def builder():
    buf = io.StringIO()
    for i in range(5):
        buf.write("row %d: " % i)
        print(*range(i), sep=",", file=buf)
    return buf.getvalue().splitlines()


def unicode_stuff():
    s = "Café naïve ﬁ Ångström"
    nfd = unicodedata.normalize("NFD", s)
    stripped = "".join(c for c in nfd if not unicodedata.combining(c))
    return [len(s), len(nfd), stripped, unicodedata.name("é"), s.encode("utf-8")[:8],
            s.encode("ascii", errors="replace"), "ǅ".upper(), "İ".lower(), len("İ".lower())]


print(word_frequencies(TEXT))
for item in regex_features(TEXT):
    print(item)
print(string_methods())
secret = caesar("Attack at Dawn, Zebra!", 3)
print(secret, caesar(secret, 23))
for s in ("aaabccddddde", "", "abc", "zzzzzzzzzzzz"):
    enc = rle_encode(s)
    print(repr(s), enc, rle_decode(enc) == s)
print(parse_csv('name,qty,note\nwidget,3,"says ""hi"", loudly"\n,,'))
try:
    parse_csv('ok,1\nbad,"unterminated')
except ParseError as e:
    print("caught:", e)
print(textwrap.fill(TEXT.split("\n")[0] * 2, width=40))
print(textwrap.dedent("    indented\n      more\n    back"))
print(builder())
print(unicode_stuff())
print(render("Dear $name, you owe ${amount}.", name="Ann", amount="5"))
print(render("Dear $name, you owe ${amount}.", name="Bob"))
