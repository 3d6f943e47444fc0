"""The security master compiled for ticker extraction, with its on-disk cache.

Reads every ``securities*.tsv`` and ``indices.tsv`` under ``corpora/entities`` plus the curated
rules in ``nlp/extract/data/ticker_rules.tsv`` and compiles them into a :class:`Master`: one
Aho-Corasick automaton over every name and alias (converted to Simplified Chinese and
width-folded, like ``NormalizedText.text``), and the lookup tables the symbol patterns need.

Compiling reads ~8,700 rows and converts every name with OpenCC, which takes a second or two, so
the compiled tables are cached under :func:`nlp.paths.cache_dir` as JSON (data only: loading it
cannot run code, unlike a pickle), in a file named after a sha256 of every input file and of this
module's source; a changed TSV or a changed builder gives a new file. Loading the cache rebuilds
the automaton from its keys (a few hundred milliseconds). A cache file that does not parse or does
not have the expected shape is ignored and rebuilt. The file is written to a temporary name and
renamed, so a reader never sees half a file [jieba does the same for its dictionary cache].
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nlp import paths
from nlp.files import read_table
from nlp.text.script import RE_HAN

log = logging.getLogger(__name__)

RULES_PATH = Path(__file__).resolve().parent / "data" / "ticker_rules.tsv"

#: Entry flags (bit set), stored with each automaton key.
WEAK = 1  # an everyday word or person's name: needs stock context or another mention
LOWER = 2  # a lower-cased English name: only inside Chinese prose ("比方说meta最近")
LISTING = 4  # names one listing explicitly ("台积电ADR"): not mapped to the primary
EXCHANGE = 8  # an exchange name used for its index: not in exchange context
LATIN_START = 16  # key starts with an ASCII letter or digit: needs a word boundary before
LATIN_END = 32  # key ends with an ASCII letter or digit: needs a word boundary after

CACHE_VERSION = 2  # bump when the table layout changes (the fingerprint covers this file anyway)

#: One meaning of an automaton key: (target symbol, is_index, flags). The automaton stores
#: ``(len(key), entries)`` because pyahocorasick reports only where a key ends.
Entry = tuple[str, bool, int]


def to_automaton(text: str) -> str:
    """``text`` as its UTF-8 bytes, one character per byte (the automaton's alphabet).

    pyahocorasick finds a node's child by a linear scan, so with ~3,000 distinct first
    characters (every Han character that starts a name) matching costs ~0.3 ms per article.
    Over UTF-8 bytes no node has more than a few dozen children and matching is 4x faster;
    UTF-8 lead bytes never occur inside a character, so every match is character-aligned.
    """
    return text.encode("utf-8").decode("latin-1")

RE_ALNUM = re.compile(r"[A-Za-z0-9]")
# A boundary between a Han character and ASCII where the press may or may not put a space.
RE_SCRIPT_SEAM = re.compile(r"(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u3400-\u9fff])")
RE_SHORT_CAPS = re.compile(r"[A-Z0-9&.\-]{1,2}")
# A US-style symbol (no exchange suffix): its secondary listings are ADRs or share classes.
LISTED_IN_US = re.compile(r"^[A-Z]{1,5}(?:-[A-Z])?$")


@dataclass(frozen=True, slots=True)
class Security:
    """One row of the security master."""

    symbol: str
    name: str
    primary: str  # the symbol itself for a primary listing, else ``listing_of``
    lists: frozenset[str] = frozenset()
    kind: str = "equity"  # equity, etf, ... (the master's ``kind`` column)


@dataclass(slots=True)
class Master:
    """Everything the extractor looks up, compiled once and cached as JSON."""

    automaton: object
    securities: dict[str, Security]
    index_names: dict[str, str]
    blacklist: frozenset[str]
    providers: frozenset[str]
    #: numeric code (no leading zeros) -> symbols with that code, for "(2330)" and "9984 JP".
    numeric: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: primary symbol -> its secondary listings.
    listings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    n_keys: int = 0
    #: company keys that name two or more companies, with those primaries: left out of the
    #: automaton (neither company gets the name).
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: symbol -> names that count only right before the symbol's code ("統一(1216)").
    code_names: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rules:
    blacklist: frozenset[str]
    weak: frozenset[str]
    drop: frozenset[str]
    aliases: tuple[tuple[str, str], ...]
    index_aliases: tuple[tuple[str, str], ...]
    providers: frozenset[str]
    shared: frozenset[str] = frozenset()


def source_files(entities_dir: Path, rules_path: Path = RULES_PATH) -> list[Path]:
    """The input files, in a stable order: securities*.tsv, indices.tsv, then the rules."""
    files = sorted(entities_dir.glob("securities*.tsv"))
    if (entities_dir / "indices.tsv").exists():
        files.append(entities_dir / "indices.tsv")
    if rules_path.exists():
        files.append(rules_path)
    return files


def fingerprint(files: list[Path]) -> str:
    """sha256 over the names and contents of ``files`` and over this module's source."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for f in files:
        h.update(f.name.encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def load_master(entities_dir: Path | None = None, *, rules_path: Path = RULES_PATH,
                cache_dir: Path | None = None, use_cache: bool = True) -> tuple[Master, bool]:
    """The compiled master, from the disk cache when it is current.

    Returns:
        ``(master, from_cache)``.
    """
    entities_dir = entities_dir or paths.ENTITIES
    files = source_files(entities_dir, rules_path)
    if not any(f.name.startswith("securities") for f in files):
        log.warning("no securities*.tsv under %s: ticker extraction finds symbols only", entities_dir)
    digest = fingerprint(files)
    target = (cache_dir or paths.cache_dir()) / f"tickers-{digest[:24]}.json"
    if use_cache and target.exists():
        try:
            return _from_tables(json.loads(target.read_text(encoding="utf-8"))), True
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("ignoring unreadable ticker cache %s: %s", target, exc)
    tables = compile_tables(entities_dir, rules_path=rules_path)
    if use_cache:
        _write_atomic(target, json.dumps(tables, ensure_ascii=False, separators=(",", ":")))
    return _from_tables(tables), False


def _write_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:  # a read-only cache folder must not break extraction
        log.warning("could not write ticker cache %s: %s", target, exc)
        Path(tmp).unlink(missing_ok=True)


def load_rules(path: Path = RULES_PATH) -> Rules:
    """Parse ``ticker_rules.tsv`` (see the comments at its top)."""
    by: dict[str, list[list[str]]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            by.setdefault(parts[0], []).append(parts[1:])
    one = lambda k: frozenset(_key(p[0]) for p in by.get(k, ()))  # noqa: E731
    return Rules(
        blacklist=frozenset(p[0].upper() for p in by.get("blacklist", ())),
        weak=one("weak"),
        drop=one("drop"),
        aliases=tuple((p[0], p[1]) for p in by.get("alias", ())),
        index_aliases=tuple((p[0], p[1]) for p in by.get("index", ())),
        providers=frozenset(p[0] for p in by.get("provider", ())),
        shared=one("shared"),
    )


def _key(text: str) -> str:
    """A name as it appears in ``NormalizedText.text``: width-folded, Simplified, single-spaced."""
    from nlp.text.normalize import fold_width
    from nlp.text.script import to_simplified

    text = " ".join(fold_width(text).split())
    return to_simplified(text) if RE_HAN.search(text) else text


def _split(cell: str | None) -> list[str]:
    return [a.strip() for a in (cell or "").split("|") if a.strip()]


def build_master(entities_dir: Path, *, rules_path: Path = RULES_PATH) -> Master:
    """Compile the master from the TSV files (no cache)."""
    return _from_tables(compile_tables(entities_dir, rules_path=rules_path))


def compile_tables(entities_dir: Path, *, rules_path: Path = RULES_PATH) -> dict:
    """The master as plain JSON-able tables (what the cache file holds)."""
    rules = load_rules(rules_path)
    securities: dict[str, Security] = {}
    names: dict[str, list[str]] = {}  # symbol -> names in the order they should win
    row_weak: set[str] = set()
    code_names: dict[str, list[str]] = {}
    for path in sorted(entities_dir.glob("securities*.tsv")):
        for row in read_table(path):
            sym = (row.get("symbol") or "").strip()
            if not sym:
                continue
            primary = (row.get("listing_of") or "").strip() or sym
            old = securities.get(sym)
            lists = frozenset(_split(row.get("lists"))) | (old.lists if old else frozenset())
            display = (row.get("name_en") or row.get("name_zh_hans") or sym).strip()
            kind = (row.get("kind") or "").strip() or (old.kind if old else "equity")
            securities[sym] = Security(sym, old.name if old else display, primary, lists, kind)
            bag = names.setdefault(sym, [])
            for col in ("name_en", "name_zh_hans", "name_zh_hant"):
                bag.extend(_split(row.get(col)))
            bag.extend(_split(row.get("aliases_en")) + _split(row.get("aliases_zh")))
            # generated rows (scripts/build_security_master.py) say which of their names are weak
            row_weak.update(_key(w) for w in _split(row.get("weak")))
            only = {_key(w) for w in _split(row.get("code_only"))}
            if only:  # everyday words (統一): kept out of the automaton, read before a code only
                code_names.setdefault(sym, []).extend(sorted(only - set(code_names.get(sym, ()))))
                bag[:] = [n for n in bag if _key(n) not in only]

    entries: dict[str, dict[tuple[str, bool], int]] = {}
    owners: dict[str, set[str]] = {}  # company key -> primaries, to drop ambiguous aliases

    def add(key: str, target: str, flags: int, *, is_index: bool = False) -> None:
        if not key or key in rules.drop:
            return
        if RE_ALNUM.match(key[0]):
            flags |= LATIN_START
        if RE_ALNUM.match(key[-1]):
            flags |= LATIN_END
        slot = entries.setdefault(key, {})
        old = slot.get((target, is_index), flags)
        # a key given both as a plain name and as a weak or lower-cased one stays plain
        slot[(target, is_index)] = (old | flags) & ~(WEAK | LOWER) | (old & flags & (WEAK | LOWER))

    def add_name(raw: str, target: str, *, extra: int = 0, is_index: bool = False) -> None:
        key = _key(raw)
        if len(key) < 2:
            return
        flags = extra
        is_latin = not RE_HAN.search(key)
        if key in rules.weak or raw in rules.weak or key in row_weak or (is_latin and RE_SHORT_CAPS.fullmatch(key)):
            flags |= WEAK
        if is_latin and key.upper() in rules.blacklist:
            flags |= WEAK
        for variant in _seam_variants(key):
            add(variant, target, flags, is_index=is_index)
            if not is_index:
                owners.setdefault(variant, set()).add(securities[target].primary if target in securities else target)
        letters = sum(c.isalpha() for c in key)
        if is_latin and letters >= 4 and not flags & WEAK:
            if key.upper() != key:
                add(key.upper(), target, flags, is_index=is_index)
            if key.lower() != key:
                add(key.lower(), target, flags | LOWER, is_index=is_index)

    for sec in list(securities.values()):
        if sec.primary not in securities:  # a partial master: keep the primary reachable
            securities[sec.primary] = Security(sec.primary, re.sub(r"\s*\(.*\)$", "", sec.name), sec.primary, sec.lists, sec.kind)
    for sym, bag in names.items():
        sec = securities[sym]
        own = set(names.get(sec.primary, ())) if sec.primary != sym else set()
        for raw in bag:
            if sec.primary != sym and own and raw not in own:
                add_name(raw, sym, extra=LISTING)  # "TSMC (ADR)", "Alibaba Group (HK)"
            else:
                add_name(raw, sec.primary)
        if sec.primary != sym:  # a secondary listing named as such: "台积电ADR", "TSMC ADR"
            us = LISTED_IN_US.match(sym) is not None
            for raw in own or set(bag):
                if RE_HAN.search(raw):
                    suffixes = ("ADR", "美股") if us else ("港股", "H股")
                else:
                    suffixes = (" ADR", " ADRs", " ADS") if us else (" Hong Kong shares", " H shares", " H-shares")
                for suf in suffixes:
                    add_name(raw + suf, sym, extra=LISTING)
    for raw, sym in rules.aliases:
        if sym in securities:
            sec = securities[sym]
            add_name(raw, sym if sec.primary != sym else sec.primary, extra=LISTING if sec.primary != sym else 0)

    index_names: dict[str, str] = {}
    ipath = entities_dir / "indices.tsv"
    if ipath.exists():
        for row in read_table(ipath):
            sym = (row.get("symbol") or "").strip()
            if not sym:
                continue
            index_names.setdefault(sym, (row.get("name_en") or sym).strip())
            for col in ("name_en", "name_zh_hans", "name_zh_hant", "aliases_en", "aliases_zh"):
                for raw in _split(row.get(col)):
                    add_name(raw, sym, is_index=True)
    for raw, sym in rules.index_aliases:
        if sym in index_names:
            add_name(raw, sym, extra=EXCHANGE | WEAK, is_index=True)

    words: dict[str, list[Entry]] = {}
    ambiguous: dict[str, list[str]] = {}
    for key, slot in entries.items():
        company = [(t, f) for (t, is_idx), f in slot.items() if not is_idx]
        index = [(t, f) for (t, is_idx), f in slot.items() if is_idx]
        payload: list[Entry] = [(t, True, f) for t, f in index[:1]]
        primaries = owners.get(key, set())
        if company and len(primaries) <= 1 or any(f & LISTING for _, f in company):
            t, f = max(company, key=lambda tf: bool(tf[1] & LISTING))
            payload.append((t, False, f))
        elif company:
            ambiguous[key] = sorted(primaries)
        if payload:
            words[key] = payload

    numeric: dict[str, list[str]] = {}
    listings: dict[str, list[str]] = {}
    for sym, sec in securities.items():
        code = sym.split(".")[0]
        if code.isdigit():
            numeric.setdefault(code.lstrip("0") or "0", []).append(sym)
        if sec.primary != sym:
            listings.setdefault(sec.primary, []).append(sym)
    log.info("compiled %d ticker keys from %d securities and %d indices", len(words), len(securities), len(index_names))
    return {
        "version": CACHE_VERSION,
        "words": words,
        "securities": {s: [sec.name, sec.primary, sorted(sec.lists), sec.kind] for s, sec in securities.items()},
        "index_names": index_names,
        "blacklist": sorted(rules.blacklist),
        "providers": sorted(rules.providers),
        "numeric": {k: sorted(v) for k, v in numeric.items()},
        "listings": listings,
        "ambiguous": ambiguous,
        "code_names": code_names,
    }


def _from_tables(t: dict) -> Master:
    """A :class:`Master` from :func:`compile_tables`' output; raises on a malformed table."""
    import ahocorasick  # C extension; imported here so that importing nlp stays cheap

    if not isinstance(t, dict) or t.get("version") != CACHE_VERSION:
        raise ValueError("not a ticker table of this version")
    automaton = ahocorasick.Automaton()
    for key, payload in t["words"].items():
        entries = tuple((str(sym), bool(is_idx), int(flags)) for sym, is_idx, flags in payload)
        raw = to_automaton(str(key))
        automaton.add_word(raw, (len(raw), entries))
    automaton.make_automaton()
    securities = {str(s): Security(str(s), str(name), str(primary), frozenset(map(str, lists)), str(kind))
                  for s, (name, primary, lists, kind) in t["securities"].items()}
    return Master(
        automaton=automaton,
        securities=securities,
        index_names={str(k): str(v) for k, v in t["index_names"].items()},
        blacklist=frozenset(map(str, t["blacklist"])),
        providers=frozenset(map(str, t["providers"])),
        numeric={str(k): tuple(map(str, v)) for k, v in t["numeric"].items()},
        listings={str(k): tuple(map(str, v)) for k, v in t["listings"].items()},
        n_keys=len(t["words"]),
        ambiguous={str(k): tuple(map(str, v)) for k, v in t["ambiguous"].items()},
        code_names={str(k): tuple(map(str, v)) for k, v in t["code_names"].items()},
    )


def _seam_variants(key: str) -> list[str]:
    """``key`` with and without a space at each Han/ASCII seam ("标普500" and "标普 500")."""
    if not RE_HAN.search(key):
        return [key]
    tight = re.sub(r"(?<=[\u3400-\u9fff]) (?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) (?=[\u3400-\u9fff])", "", key)
    seams = [m.start() for m in RE_SCRIPT_SEAM.finditer(tight)]
    if not seams or len(seams) > 3:
        return [tight]
    out = []
    for mask in range(1 << len(seams)):
        parts, last = [], 0
        for i, pos in enumerate(seams):
            parts.append(tight[last:pos])
            if mask >> i & 1:
                parts.append(" ")
            last = pos
        parts.append(tight[last:])
        out.append("".join(parts))
    return out
