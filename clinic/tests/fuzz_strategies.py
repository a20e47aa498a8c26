"""Hypothesis strategies for bad input: what a careless or hostile user may type into a form or
a URL. Used by clinic/tests/test_fuzz.py."""

from hypothesis import strategies as st

# Markup that must never come back unescaped; the page never contains these on its own.
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'\"><svg/onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% debug %}",
    "&lt;script&gt;",
]
RAW_MARKERS = ("<script>alert(", "<img src=x onerror", "<svg/onload", "</textarea><script>")

SQL = [
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "%%",
    "%_%",
    "'; DROP TABLE patients; --",
    '" OR ""="',
    "1' AND SLEEP(5)#",
    "1; SELECT pg_sleep(5)",
    "RM-%",
    "*",
]

DATES = [
    "2026-02-30",
    "31-13-2026",
    "0000-00-00",
    "99999-01-01",
    "2026-13-01",
    "2026-00-10",
    "1900-02-29",
    "2024-02-29",
    "-2026-01-01",
    "2026/01/01",
    "30-02-2026",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "0001-01-01T00:15",
    "2026-01-01T25:61",
    "24:00",
    "23:60",
    "00:00",
    "23:45",
    "-1:00",
    "12.30",
    "T",
    "2026-12-07T10:00:00+99:00",
]

NUMBERS = [
    "-1",
    "0",
    "-0",
    "+1",
    "1.5",
    "1e309",
    "-1e309",
    "1e-309",
    "1e5",
    "99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "32768",
    "65536",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "sNaN",
    "0x10",
    "1_000",
    "１２",
    "١٢٣",
    " 1 ",
    "Rp -150.000",
    "150.000,999",
    "150,000.00",
    "999.999.999.999.999",
    "0,001",
    "-150000",
]

CONTROL = [
    "\x00",
    "a\x00b",
    "\x00" * 20,
    "\x01\x02\x1f\x7f",
    "\r\n\r\n",
    "\t",
    "\x1b[31mred",
    "\x0b\x0c",
    "\u0085",
    "\u2028\u2029",
]

UNICODE = [
    "\u202egnp.exe",
    "مرحبا بالعالم",
    "שלום",
    "👩‍⚕️🏥💉",
    "e\u0301\u0301\u0301\u0301",
    "Z̴̡̛͇a̷͚͝l̸̰̎g̶o",
    "\u200b\u200c\u200d",
    "\ufeff",
    "ﷺ",
    "Ａｄｍｉｎ",
    "𝕬𝖇𝖈",
    "İı",
    "ß",
    "Siti Rahmawati",
    "dr. Budi Santoso, Sp.PD",
    "O'Brien",
    "\U0010ffff",
]

# Very long values (10,000 characters), built when drawn: a strategy holding them would have a
# 300 kB repr.
LONG_UNITS = ["a", "9", "ü", "😀", "<script>alert(1)</script>", "\x00", "' OR 1=1 --", "e\u0301"]
long_text = st.sampled_from(LONG_UNITS).map(lambda unit: unit * (10_000 // len(unit)))

FIXED = XSS + SQL + DATES + NUMBERS + CONTROL + UNICODE + [""]

# Text hypothesis makes up: any printable or control character but surrogates (which no client
# can send as UTF-8).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
CONTROL_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=8)

payload = st.one_of(
    st.sampled_from(FIXED),
    st.sampled_from(FIXED),
    long_text,
    ANY_TEXT,
    CONTROL_TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(str),
    st.tuples(st.sampled_from(FIXED), ANY_TEXT).map("".join),
)

# A parameter's value: one value, or several (?q=a&q=b, checkboxes, a field sent twice).
value = st.one_of(payload, payload, payload, st.lists(payload, min_size=2, max_size=4))

# Parameter names no view reads: sorting and ordering attempts and anything else.
extra_name = st.one_of(
    st.sampled_from(
        [
            "sort",
            "order",
            "o",
            "ordering",
            "desc",
            "limit",
            "offset",
            "format",
            "debug",
            "id",
            "pk",
            "role",
            "is_staff",
            "next",
            "_method",
            "csrfmiddlewaretoken",
            "page_size",
        ]
    ),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20),
)


def query_params(names: list[str]):
    """A query string for a view that reads `names`: some of them fuzzed, plus maybe an extra one."""
    return st.tuples(
        st.fixed_dictionaries({}, optional={name: value for name in names}),
        st.one_of(st.none(), st.tuples(extra_name, value)),
    ).map(lambda parts: {**parts[0], **({parts[1][0]: parts[1][1]} if parts[1] else {})})


DROP = object()  # the field is left out of the form


def mutations(fields: list[str]):
    """How to spoil a valid form: for each of some fields, a fuzzed value, the field dropped, or the
    valid value sent twice with a fuzzed one; plus maybe an extra field."""
    change = st.one_of(
        value,
        value,
        st.just(DROP),
        st.tuples(payload, st.booleans()).map(lambda p: ("dup", p[0], p[1])),
    )
    return st.tuples(
        st.fixed_dictionaries({}, optional={name: change for name in fields}),
        st.one_of(st.none(), st.tuples(extra_name, value)),
    )


def spoil(base: dict, mutation) -> dict:
    changes, extra = mutation
    data = dict(base)
    for name, change in changes.items():
        if change is DROP:
            data.pop(name, None)
        elif isinstance(change, tuple) and change and change[0] == "dup":
            _tag, bad, bad_first = change
            good = base.get(name, "")
            good = good if isinstance(good, list) else [good]
            data[name] = [bad, *good] if bad_first else [*good, bad]
        else:
            data[name] = change
    if extra is not None:
        data.setdefault(extra[0], extra[1])
    return data


# --- A fixed sweep: each field or parameter in turn gets each value fit for its kind -----------

SWEEP_ANY = ["{good}\x00", "a" * 10_000, "<script>alert(1)</script>"]
SWEEP_TEXT = ['"><img src=x onerror=alert(1)>', "\u202e👩‍⚕️e\u0301", "\x01\x1b\x7f", "\u034f", ""]
SWEEP = {
    "date": ["2026-02-30", "31-13-2026", "0000-00-00", "99999-01-01", "9999-12-31", "0001-01-01", "31-12-9999"],
    "datetime": [
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "2026-02-30T10:00",
        "2026-01-01T25:61",
        "0001-01-01 00:00",
        "99999-01-01T00:00",
    ],
    "time": ["24:00", "23:60", "-1:00", "23:45", "25.61"],
    "number": ["-1", "99999999999999999999", "1e309", "NaN", "2147483648"],
    "text": SWEEP_TEXT,
    # Where to go next: other sites, schemes, and words redirect() would take for a URL name.
    "url": [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "abc",
        "http:/evil.example",
        "/\x00",
    ],
    # What a search box gets on top: LIKE wildcards, a quote, a backslash.
    "search": [*SWEEP_TEXT, "' OR 1=1 --", "%_", "\\"],
}
_KINDS = [
    ("url", r"/.*"),
    ("datetime", r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    ("date", r"\d{4}-\d{2}-\d{2}"),
    ("time", r"\d{1,2}:\d{2}"),
    ("number", r"-?\d+([.,]\d+)?"),
]


def kind_of(good) -> str:
    import re

    good = good[0] if isinstance(good, list) and good else good
    for kind, pattern in _KINDS:
        if isinstance(good, str) and re.fullmatch(pattern, good):
            return kind
    return "text"


def sweep(good, kind: str | None = None) -> list:
    """The values a field holding `good` is tried with, one request each."""
    kind = kind or kind_of(good)
    plain = good[0] if isinstance(good, list) and good else good
    values = [v.replace("{good}", str(plain or "x")) for v in SWEEP_ANY] + SWEEP[kind]
    return values + [[str(plain or "x"), values[-1]]]  # the field twice
