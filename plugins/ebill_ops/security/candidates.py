"""The passwords tried against each hash, each tagged with the rule that makes it weak.

Two parts: the candidates every account shares (the weak-password list and site name + year),
built once per run, and a few dozen per login (the login name itself, login name + digits).
Only rule names ever leave this module's callers, never a candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ebill_ops.paths import include_dir
from ebill_ops.security.settings import WeakPasswordRules

WEAK_LIST = "weak_list"
EQUALS_LOGIN = "equals_login"
LOGIN_DIGITS = "login_digits"
SITE_YEAR = "site_year"
EMPTY = "empty"

RULE_LABELS = {
    WEAK_LIST: "在弱口令字典中 in the weak-password list",
    EQUALS_LOGIN: "与登录名相同（或倒序）equals the login name (or reversed)",
    LOGIN_DIGITS: "登录名加数字/符号 login name + digits",
    SITE_YEAR: "单位名称加年份/数字 site name + year or digits",
    EMPTY: "空口令 empty password",
}
RULE_ORDER = (EMPTY, EQUALS_LOGIN, LOGIN_DIGITS, WEAK_LIST, SITE_YEAR)

MAX_LENGTH = 128
SEPARATORS = ("", "@", "#", "_", ".", "!")
SITE_SUFFIXES = ("123", "1234", "123456", "888", "666", "@123", "#123", "@123456")


class WeakListError(ValueError):
    """The weak-password list is missing or unusable: the audit cannot say anything about passwords."""


Rules = frozenset[str]


@dataclass(frozen=True)
class CandidateSet:
    """Candidates shared by every account, in the order they are tried, with their rules."""

    shared: tuple[tuple[bytes, Rules], ...]
    rules: WeakPasswordRules
    years: tuple[int, ...]
    list_size: int
    _index: dict[bytes, Rules] = field(default_factory=dict, repr=False, compare=False)

    _bytes: list[bytes] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update(self.shared)
        self._bytes.extend(c for c, _ in self.shared)

    @property
    def shared_bytes(self) -> list[bytes]:
        """The shared candidates alone, in order (what the hot loop iterates)."""
        return self._bytes

    def __repr__(self) -> str:  # never print candidates
        return f"CandidateSet(shared={len(self.shared)}, list={self.list_size})"

    def shared_rules(self, candidate: bytes) -> Rules:
        return self._index.get(candidate, frozenset())

    def for_login(self, login: str) -> dict[bytes, Rules]:
        """Candidates built from one login name (tried first: they are the likeliest)."""
        out: dict[bytes, set[str]] = {}

        def add(text: str, rule: str) -> None:
            if 0 < len(text) <= MAX_LENGTH:
                out.setdefault(text.encode("utf-8"), set()).add(rule)

        forms = _case_forms(login)
        for form in forms:
            add(form, EQUALS_LOGIN)
            add(form[::-1], EQUALS_LOGIN)
            for suffix in self.rules.login_suffixes:
                if suffix:
                    add(form + suffix, LOGIN_DIGITS)
            for year in self.years:
                for sep in ("", "@", "#", "_"):
                    add(f"{form}{sep}{year}", LOGIN_DIGITS)
        return {k: frozenset(v) for k, v in out.items()}


def _case_forms(word: str) -> list[str]:
    forms = [word, word.lower(), word.upper(), word[:1].upper() + word[1:].lower()]
    return list(dict.fromkeys(f for f in forms if f))


def list_path(rules: WeakPasswordRules) -> Path:
    path = Path(rules.list_file)
    return path if path.is_absolute() else include_dir() / path


def read_weak_list(path: Path) -> list[str]:
    """One password a line, UTF-8 (a byte-order mark, as Windows editors write, is dropped); ``#``
    starts a comment line (write ``\\#`` for a leading ``#``).

    Order is kept (most common first: slow hashes try only the head); duplicates are dropped.
    """
    if not path.is_file():
        raise WeakListError(
            f"weak-password list not found: {path} (set security.weak.list_file to a readable file)"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WeakListError(f"weak-password list {path} is not UTF-8 text: {exc.reason}") from None
    out: list[str] = []
    for line in text.splitlines():
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("\\#"):
            line = line[1:]
        if len(line) <= MAX_LENGTH:
            out.append(line)
    out = list(dict.fromkeys(out))
    if not out:
        raise WeakListError(f"weak-password list {path} holds no password")
    return out


def site_words(rules: WeakPasswordRules, site_name: str) -> list[str]:
    """Configured site words plus the ASCII words of the site's name (three letters or more)."""
    words = [w for w in rules.site_words if w]
    words += [w.lower() for w in re.findall(r"[A-Za-z]{3,}", site_name)]
    return list(dict.fromkeys(words))


def build(rules: WeakPasswordRules, *, as_of_year: int, site_name: str = "") -> CandidateSet:
    """The shared candidates: the empty password, the list, then site words with years and digits."""
    years = tuple(range(as_of_year, as_of_year - rules.years_back - 1, -1))
    listed = read_weak_list(list_path(rules))
    merged: dict[bytes, set[str]] = {b"": {EMPTY}}

    def add(text: str, rule: str) -> None:
        merged.setdefault(text.encode("utf-8"), set()).add(rule)

    for password in listed:
        add(password, WEAK_LIST)
    for word in site_words(rules, site_name):
        for form in _case_forms(word):
            for year in years:
                for sep in SEPARATORS:
                    add(f"{form}{sep}{year}", SITE_YEAR)
                    add(f"{form}{sep}{year % 100:02d}", SITE_YEAR)
            for suffix in SITE_SUFFIXES:
                add(form + suffix, SITE_YEAR)
    shared = tuple((k, frozenset(v)) for k, v in merged.items())
    return CandidateSet(shared=shared, rules=rules, years=years, list_size=len(listed))


def describe(rules: Iterable[str]) -> str:
    """The matched rules as report text, Chinese first, in a fixed order."""
    found = set(rules)
    return "; ".join(RULE_LABELS[r] for r in RULE_ORDER if r in found)
