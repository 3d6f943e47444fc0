"""Build the generated part of the security master (A-shares, Taiwan) from registry packages.

Reads the code lists that two registry packages ship as package data -- no network, and the
packages are never imported (``adata`` would pull in pandas and a JavaScript engine):

* ``adata`` (Apache-2.0): ``adata/stock/cache/code.csv``, every Shanghai and Shenzhen A-share
  code with its exchange short name (万科A, 贵州茅台) and listing date;
* ``twstock`` (MIT): ``twstock/codes/twse_equities.csv`` and ``tpex_equities.csv``, the TWSE and
  TPEx lists of stocks and ETFs (Traditional short names: 台積電, 元大台灣50).

and writes ``corpora/entities/securities_cn_a.tsv`` and ``securities_tw.tsv`` in the master's
columns, plus ``corpora/entities/generated.tsv`` (what was read, kept, skipped and why). The
run time reads only those files; the packages are an optional extra (``pip install -e
'.[master]'``) needed only to rebuild. Rerunning with the same package versions gives the same
bytes.

Choices, in one place:

* Symbols follow Yahoo: 6xxxxx.SS, 0xxxxx/3xxxxx.SZ, TWSE NNNN.TW, TPEx NNNN.TWO. B shares, the
  Beijing exchange, delisting (退) and pre-listing rows are left out.
* A row whose symbol the hand-curated files already hold (``securities_asia.tsv``,
  ``securities_us_eu.tsv``, ``securities_hk_us.tsv``) keeps its curated names; the generated
  row then adds only the exchange short name, if the curated row lacks it.
* Every name is written in both scripts (OpenCC s2t / t2s). A share-class letter (万科A) also
  gives the bare name (万科); "-KY" and "*ST"/"ST" marks give the name without them.
* A name that needs stock context is listed in the ``weak`` column: two Han characters or
  fewer, a word of a general Chinese word list (jieba's dictionary, frequency >= 50), or the
  start of such a word (平安 in 平安夜), or an ETF's generic tail (高股息).
* A name that contains another name of the master (海思科 holds 思科, 元大S&P500 holds S&P500)
  is never weak: a weak name gives way to a plain one inside it, and the company would be lost.
* A name that is a very common word (jieba frequency >= 300: 统一, 世界, 机器人), or two
  characters that are a word, start one or sit inside three or more (国建 in 中国建设, 高技 in
  高技术), is listed in
  ``code_only``: it counts only right before the company's own code (統一(1216)), so it neither
  floods the matcher nor names the company on its own.
* A name that another company already uses (curated or generated) is not given to the
  generated row: the curated owner keeps it, and a name shared by two generated rows goes to
  neither. Each case is a row of ``generated.tsv``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata as md
import io
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.files import atomic_writer, read_table  # noqa: E402

ENTITIES = ROOT / "corpora" / "entities"
CURATED = ("securities_asia.tsv", "securities_us_eu.tsv", "securities_hk_us.tsv")
COLUMNS = ["symbol", "exchange", "name_en", "aliases_en", "name_zh_hans", "name_zh_hant", "aliases_zh",
           "kind", "lists", "listing_of", "weak", "code_only"]
JIEBA_COMMON = 20  # a dictionary word at least this frequent is an everyday word
JIEBA_EVERYDAY = 300  # ... and one this frequent (统一, 世界, 机器人) is almost never the company
JIEBA_INSIDE = 3  # two characters inside this many common words (国建: 中国建设...) are a fragment
RE_CLASS = re.compile(r"^(?P<base>[\u3400-\u9fff]{2,})[AB]$")  # 万科A, 华侨城A
RE_KY = re.compile(r"-?KY$")
RE_ST = re.compile(r"^\*?ST")
RE_HAN = re.compile(r"[\u3400-\u9fff]")


def _package_file(dist: str, rel: str) -> tuple[str, str]:
    """The text of a data file inside an installed distribution, and the distribution's version."""
    try:
        d = md.distribution(dist)
    except md.PackageNotFoundError:
        raise SystemExit(f"{dist} is not installed: pip install -e '.[master]' (an optional extra)") from None
    path = Path(str(d.locate_file(rel)))
    if not path.exists():
        raise SystemExit(f"{dist} {d.version} has no {rel}")
    return path.read_text(encoding="utf-8-sig"), d.version


def _clean(name: str) -> str:
    from nlp.text.normalize import fold_width

    return "".join(fold_width(name).split())


class Names:
    """Which primary owns which name key, across curated and generated rows."""

    def __init__(self) -> None:
        from nlp.extract._security_master import _key

        self.key = _key
        self.owner: dict[str, set[str]] = {}
        self.curated: set[str] = set()

    def add(self, name: str, primary: str, *, curated: bool) -> None:
        k = self.key(name)
        self.owner.setdefault(k, set()).add(primary)
        if curated:
            self.curated.add(k)


def load_curated(names: Names) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for fname in CURATED:
        path = ENTITIES / fname
        if not path.exists():
            continue
        for row in read_table(path):
            sym = (row.get("symbol") or "").strip()
            if not sym:
                continue
            rows[sym] = row
            primary = (row.get("listing_of") or "").strip() or sym
            for col in ("name_en", "aliases_en", "name_zh_hans", "name_zh_hant", "aliases_zh"):
                for n in (row.get(col) or "").split("|"):
                    if n.strip():
                        names.add(n.strip(), primary, curated=True)
    return rows


def jieba_words() -> dict[str, int]:
    """Word -> frequency from jieba's bundled dictionary (a general Chinese word list)."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


class WeakRule:
    """Decides which Han names need stock context (see the module docstring)."""

    def __init__(self, words: dict[str, int]) -> None:
        self.words = words
        self.common = {w for w, f in words.items() if f >= JIEBA_COMMON and RE_HAN.search(w)}
        self.prefixes = {w[:i] for w in self.common for i in range(2, len(w))}
        self.inside: Counter[str] = Counter(w[i:i + 2] for w in self.common for i in range(len(w) - 1) if len(w) > 2)

    def everyday(self, simplified: str) -> bool:
        """Too common to match at all: a frequent word, or two characters found in many words."""
        han = len(RE_HAN.findall(simplified))
        return self.words.get(simplified, 0) >= JIEBA_EVERYDAY or (han == len(simplified) == 2 and (
            simplified in self.words or self.inside[simplified] >= JIEBA_INSIDE or simplified in self.prefixes))

    def __call__(self, simplified: str) -> bool:
        han = len(RE_HAN.findall(simplified))
        if not han:
            return not RE_HAN.search(simplified)  # Latin names from these lists (ABC-KY) are acronyms
        if han <= 2 or simplified in self.common or simplified in self.prefixes:
            return True
        # a three-character name made of everyday words reads as a phrase (深+科技, 值得+买)
        return han == 3 and simplified not in self.words and self._phrase(simplified)

    def _phrase(self, s: str) -> bool:
        for i in range(1, len(s)):
            a, b = s[:i], s[i:]
            if all(len(x) == 1 or self.words.get(x, 0) >= JIEBA_COMMON for x in (a, b)) and \
                    (self.words.get(a, 0) >= JIEBA_COMMON or self.words.get(b, 0) >= JIEBA_COMMON):
                return True
        return False


def _row(sym: str, exchange: str, kind: str, names: list[str], *, hans: str, hant: str, weak: set[str],
         code_only: set[str]) -> dict[str, str]:
    aliases = [n for n in dict.fromkeys(names) if n not in (hans, hant)]
    return {"symbol": sym, "exchange": exchange, "name_en": "", "aliases_en": "", "name_zh_hans": hans,
            "name_zh_hant": hant, "aliases_zh": "|".join(aliases), "kind": kind, "lists": "",
            "listing_of": "", "weak": "|".join(sorted(weak - code_only)), "code_only": "|".join(sorted(code_only))}


def a_share_rows(text: str, log: Counter[str]) -> list[tuple[str, str, str, list[str]]]:
    """``(symbol, exchange, kind, names)`` for the A-share list (short names, Simplified)."""
    out = []
    for rec in csv.DictReader(io.StringIO(text)):
        code = (rec.get("stock_code") or "").strip()
        name = _clean(rec.get("short_name") or "")
        log["a: read"] += 1
        if not (len(code) == 6 and code.isdigit()) or not name:
            log["a: skipped, malformed row"] += 1
            continue
        if code[0] == "6":
            sym, ex = f"{code}.SS", "XSHG"
        elif code[0] in "03":
            sym, ex = f"{code}.SZ", "XSHE"
        else:  # 2xxxxx/9xxxxx B shares, 4/8/92xxxx Beijing: rarely in the news we read
            log["a: skipped, B share or Beijing exchange"] += 1
            continue
        if "退" in name or name.startswith("PT") or not (rec.get("list_date2") or "").strip():
            log["a: skipped, delisted or not yet listed"] += 1
            continue
        variants = [name]
        # "*ST中期" is also written "ST中期", never "中期": the mark stays, the asterisk may go
        bare = name.lstrip("*")
        if bare != name:
            variants.append(bare)
        m = RE_CLASS.match(RE_ST.sub("", bare))
        if m:
            variants.append(m.group("base"))
        out.append((sym, ex, "equity", variants))
    return out


def taiwan_rows(text: str, market: str, log: Counter[str]) -> list[tuple[str, str, str, list[str]]]:
    """``(symbol, exchange, kind, names)`` for one twstock list (short names, Traditional)."""
    suffix, ex = (".TW", "XTAI") if market == "twse" else (".TWO", "ROCO")
    kinds = {"股票": "equity", "創新板": "equity", "ETF": "etf"}
    out = []
    for rec in csv.DictReader(io.StringIO(text)):
        typ = (rec.get("type") or "").strip()
        log[f"{market}: read"] += 1
        if typ not in kinds:
            log[f"{market}: skipped, {typ or 'no type'}"] += 1
            continue
        code = (rec.get("code") or "").strip()
        name = _clean(rec.get("name") or "")
        if not code or not name:
            log[f"{market}: skipped, malformed row"] += 1
            continue
        variants = [name]
        bare = RE_KY.sub("", name)
        if bare != name and len(RE_HAN.findall(bare)) >= 2:  # "ABC-KY" without -KY is a word
            variants.append(bare)
        out.append((f"{code}{suffix}", ex, kinds[typ], variants))
    return out


def build(out_dir: Path) -> dict[str, int]:
    from opencc import OpenCC

    s2t, t2s = OpenCC("s2t"), OpenCC("t2s")
    names = Names()
    curated = load_curated(names)
    weak_rule = WeakRule(jieba_words())
    adata_csv, adata_v = _package_file("adata", "adata/stock/cache/code.csv")
    twse_csv, tw_v = _package_file("twstock", "twstock/codes/twse_equities.csv")
    tpex_csv, _ = _package_file("twstock", "twstock/codes/tpex_equities.csv")
    log: Counter[str] = Counter()
    sources = {
        "securities_cn_a.tsv": a_share_rows(adata_csv, log),
        "securities_tw.tsv": taiwan_rows(twse_csv, "twse", log) + taiwan_rows(tpex_csv, "tpex", log),
    }
    # First pass: who claims each generated name key.
    claims: dict[str, set[str]] = {}
    for rows in sources.values():
        for sym, _, _, variants in rows:
            for v in variants:
                claims.setdefault(names.key(v), set()).add(curated.get(sym, {}).get("listing_of") or sym)
    every_key = set(names.owner) | set(claims)
    for row in read_table(ENTITIES / "indices.tsv"):
        for col in ("name_en", "aliases_en", "name_zh_hans", "name_zh_hant", "aliases_zh"):
            every_key.update(names.key(n) for n in (row.get(col) or "").split("|") if n.strip())

    def holds_other(k: str) -> bool:
        """``k`` contains another master name: weak, it would lose to that name (海思科 / 思科)."""
        return any(k[i:j] in every_key for i in range(len(k)) for j in range(i + 2, len(k) + 1) if j - i < len(k))
    notes: list[dict[str, str]] = []
    counts: dict[str, int] = {}
    for fname, rows in sources.items():
        out_rows = []
        for sym, ex, kind, variants in sorted(rows):
            own = (curated.get(sym, {}).get("listing_of") or "").strip() or sym
            keep = []
            for v in variants:
                k = names.key(v)
                others = (names.owner.get(k, set()) | claims.get(k, set())) - {own}
                if others:
                    notes.append({"name": v, "symbol": sym, "also": "|".join(sorted(others)),
                                  "resolution": "kept by the curated row" if k in names.curated else "shared: given to none"})
                    log["names left out: used by another company"] += 1
                    continue
                if sym in curated and k in names.owner:  # the curated row already has it
                    continue
                keep.append(v)
            if not keep:
                if sym not in curated:
                    log["rows left out: no name of their own"] += 1
                continue
            hans = t2s.convert(keep[0])
            hant = s2t.convert(keep[0]) if fname == "securities_cn_a.tsv" else keep[0]
            forms = [f for v in keep for f in (t2s.convert(v), s2t.convert(v) if fname == "securities_cn_a.tsv" else v)]
            weak = {f for f in forms if weak_rule(t2s.convert(f)) and not holds_other(names.key(f))}
            if kind == "etf":  # 元大台灣50 is plain; its tail 台灣50 is a curated alias or nothing
                weak = {f for f in weak if len(RE_HAN.findall(f)) <= 2}
            code_only = {f for f in weak if weak_rule.everyday(t2s.convert(f))}
            out_rows.append(_row(sym, ex, kind, forms, hans=hans, hant=hant, weak=weak, code_only=code_only))
        counts[fname] = len(out_rows)
        header = [
            f"# {fname}: GENERATED by scripts/build_security_master.py -- do not edit; curated rows live in {', '.join(CURATED)}.",
            f"# Source: {'adata ' + adata_v + ' (Apache-2.0), adata/stock/cache/code.csv' if 'cn_a' in fname else 'twstock ' + tw_v + ' (MIT), twstock/codes/twse_equities.csv + tpex_equities.csv'} (exchange short names and codes: facts).",
            f"# {len(out_rows)} rows. Columns as in securities_asia.tsv, plus weak: names that count only with stock context; code_only: names that count only before their code.",
        ]
        with atomic_writer(out_dir / fname) as fh:
            fh.write("\n".join(header) + "\n")
            w = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
            w.writeheader()
            w.writerows(out_rows)
    with atomic_writer(out_dir / "generated.tsv") as fh:
        fh.write(f"# generated.tsv: the last run of scripts/build_security_master.py (adata {adata_v}, twstock {tw_v}).\n")
        fh.write("# Counts, then every generated name left out because another company uses it. Not read at run time.\n")
        fh.write("count\tvalue\n")
        for k, v in sorted(log.items()):
            fh.write(f"{k}\t{v}\n")
        for k, v in counts.items():
            fh.write(f"rows written to {k}\t{v}\n")
        fh.write("\nname\tsymbol\talso\tresolution\n")
        for n in sorted(notes, key=lambda r: (r["symbol"], r["name"])):
            fh.write(f"{n['name']}\t{n['symbol']}\t{n['also']}\t{n['resolution']}\n")
    return counts | dict(log)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ENTITIES, help="folder to write (default corpora/entities)")
    args = ap.parse_args(argv)
    for k, v in build(args.out).items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
