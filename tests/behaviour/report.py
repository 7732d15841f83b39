"""Pass rates of the behaviour suite, per capability, per variant and overall.

    python tests/behaviour/report.py [--family F] [--failures]

Loads the extractor once, runs every case of ``tests/behaviour/*.yaml`` (or of
one family), prints the tables and, with ``--failures``, each failing case with
what was expected and what was extracted. It is a report: the exit status is 0
whatever the pass rate (2 only for a bad command line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases as behaviour  # noqa: E402  (the module next to this script)


def _table(title: str, rows: dict[str, tuple[int, int]]) -> list[str]:
    width = max([len(title)] + [len(k) for k in rows])
    out = [f"{title:<{width}}  pass / total   rate", "-" * (width + 21)]
    for name, (ok, n) in rows.items():
        out.append(f"{name:<{width}}  {ok:>4} / {n:<5}  {100 * ok / n:5.1f}%")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", choices=behaviour.FAMILIES, help="only the cases of this family")
    ap.add_argument("--failures", action="store_true", help="list each failing case")
    args = ap.parse_args(argv)

    cases, problems = behaviour.load()
    for p in problems:
        print(f"invalid case (skipped): {p}", file=sys.stderr)
    if args.family:
        cases = [c for c in cases if c.family == args.family]
    if not cases:
        print("no cases")
        return 0

    from diplowatch.extract import Extractor

    extractor = Extractor()
    results = [behaviour.run(extractor, c) for c in cases]

    if args.failures:
        failing = [r for r in results if not r.passed]
        print(f"{len(failing)} failing cases\n")
        for r in failing:
            print(behaviour.describe(r))
            if r.case.known_failure:
                print(f"  known failure: {r.case.known_failure}")
            print()

    for title, attr in (("capability", "capability"), ("variant", "variant"), ("family", "family")):
        print("\n".join(_table(title, behaviour.by(results, attr))))
        print()
    pairs: dict[str, list[bool]] = {}
    for r in results:
        if r.case.pair:
            pairs.setdefault(f"{r.case.family}:{r.case.pair}", []).append(r.passed)
    if pairs:
        whole = sum(all(v) for v in pairs.values())
        print(f"minimal pairs passing in every variant: {whole} / {len(pairs)}")
    ok = sum(r.passed for r in results)
    print(f"overall: {ok} / {len(results)} cases pass ({100 * ok / len(results):.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
