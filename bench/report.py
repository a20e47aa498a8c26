"""The plain-text table, the JSON file, the comparison of two sizes (R_N) and the findings lines
for the tuning work. The JSON keeps everything the table shows, so a comparison needs no rerun."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from bench.measure import Result
from bench.scenarios import MAX_GROWTH, TARGETS

SQL_PREVIEW = 300


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def result_to_dict(result: Result) -> dict:
    data = dataclasses.asdict(result)
    data["r_sql"] = result.r_sql
    return data


def results_of(run: dict) -> list[dict]:
    """The results of a run as dicts, whether it was just measured or read from JSON."""
    return [r if isinstance(r, dict) else result_to_dict(r) for r in run["results"]]


def write_json(run: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**run, "results": results_of(run)}, indent=2, default=str) + "\n")


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def machine_lines(run: dict) -> list[str]:
    m = run["machine"]
    return [
        f"machine: {m['cpus']} CPUs, {m.get('memory_gb')} GB RAM, {m['platform']}, load average "
        f"{' '.join(f'{x:.2f}' for x in m.get('load_average', []))}",
        f"database: {m['vendor']} {m['server_version']} ({m['database']}): "
        f"{m['patients']:,} patients, {m['appointments']:,} appointments",
        f"run: {run['created']}, Python {m['python']}, Django {m['django']}, settings {m['settings']} "
        f"(DEBUG={m['debug']}); {run['options']['iterations']} timed requests after "
        f"{run['options']['warmup']} warm-up, {run['options']['raw_iterations']} raw replays; "
        f"a durable commit costs {run.get('commit_ms', 0):.2f} ms here (added to raw SQL per commit)",
        *(f"note: {note}" for note in run.get("notes", [])),
    ]


def _mark(name: str, p50: float | None, r_sql: float | None) -> str:
    target = TARGETS.get(name)
    if target is None or p50 is None:
        return ""
    misses = []
    if target.p50_ms is not None and p50 > target.p50_ms:
        misses.append(f"p50>{target.p50_ms:g}")
    if target.r_sql is not None and r_sql is not None and r_sql > target.r_sql:
        misses.append(f"R_sql>{target.r_sql:g}")
    return "MISS " + ",".join(misses) if misses else "ok"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row) -> str:
        cells = zip(row, widths, strict=False)
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(cells)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def table(run: dict) -> str:
    rows = []
    for r in results_of(run):
        if r["error"]:
            rows.append([r["name"], "-", "-", "-", "-", "-", "-", "-", "-", f"ERROR {r['error']}"])
            continue
        raw = r["raw"] or {}
        rows.append(
            [
                r["name"],
                r["queries"],
                r["writes"],
                raw.get("commits", "-"),
                _ms(r["p50_ms"]),
                _ms(r["p95_ms"]),
                _ms(r.get("cpu_p50_ms")),
                _ms(raw.get("p50_ms")),
                _ratio(r["r_sql"]),
                _mark(r["name"], r["p50_ms"], r["r_sql"]),
            ]
        )
    header = [
        "scenario",
        "queries",
        "writes",
        "commits",
        "p50 ms",
        "p95 ms",
        "CPU p50",
        "raw SQL ms",
        "R_sql",
        "target (1M, MariaDB)",
    ]
    return "\n".join([*machine_lines(run), "", *_table(header, rows), *chain_lines(run)])


def chain_lines(run: dict) -> list[str]:
    chain = run.get("audit_chain")
    if not chain:
        return []
    verdict = "sound" if chain["ok"] else f"BROKEN: {'; '.join(chain['problems'])}"
    return [
        "",
        f"verify_audit_chain --full: {chain['full_rows']:,} rows in {chain['full_s']:.2f} s; "
        f"resumed from the checkpoint: {chain['resumed_rows']:,} rows in {chain['resumed_s'] * 1000:.1f} ms "
        f"({verdict})",
    ]


def compare(small: dict, big: dict) -> tuple[str, list[str]]:
    """The table of R_N = p50(big) / p50(small) per scenario, and the problems: a scenario that
    failed, or whose query count differs between the sizes (a query per row somewhere)."""
    problems = []
    if small["machine"]["vendor"] != big["machine"]["vendor"]:
        problems.append(
            f"the runs are on different databases ({small['machine']['vendor']}, "
            f"{big['machine']['vendor']}): R_N compares sizes on one database"
        )
    by_name = {r["name"]: r for r in results_of(small)}
    rows = []
    for r in results_of(big):
        s = by_name.get(r["name"])
        if s is None or r["error"] or s["error"]:
            problems.append(f"{r['name']}: {r['error'] or (s or {}).get('error') or 'missing from the small run'}")
            continue
        if s["queries"] != r["queries"]:
            problems.append(f"{r['name']}: {s['queries']} queries at the small size, {r['queries']} at the big one")
        growth = r["p50_ms"] / s["p50_ms"] if s["p50_ms"] else None
        cpu_growth = r["cpu_p50_ms"] / s["cpu_p50_ms"] if s.get("cpu_p50_ms") and r.get("cpu_p50_ms") else None
        rows.append(
            [
                r["name"],
                f"{s['queries']}/{r['queries']}",
                _ms(s["p50_ms"]),
                _ms(r["p50_ms"]),
                _ms(r["p95_ms"]),
                _ms((r["raw"] or {}).get("p50_ms")),
                _ratio(r["r_sql"]),
                _ratio(cpu_growth),
                _ratio(growth),
                "ok" if growth is not None and growth <= MAX_GROWTH else f"MISS R_N>{MAX_GROWTH:g}",
            ]
        )
    header = [
        "scenario",
        "queries",
        "p50 small",
        "p50 big",
        "p95 big",
        "raw SQL big",
        "R_sql big",
        "CPU R_N",
        "R_N",
        "R_N target",
    ]
    sizes = (
        f"small: {small['machine']['patients']:,} patients ({small['machine']['database']}), "
        f"big: {big['machine']['patients']:,} patients ({big['machine']['database']}), "
        f"{big['machine']['vendor']} {big['machine']['server_version']}"
    )
    text = "\n".join([sizes, "", *_table(header, rows), *(f"problem: {p}" for p in problems)])
    return text, problems


def findings(run: dict) -> list[str]:
    """One line per page that misses its target, with its slowest statement, for the tuning work."""
    m = run["machine"]
    lines = []
    for r in results_of(run):
        mark = _mark(r["name"], r["p50_ms"], r["r_sql"]) if not r["error"] else f"ERROR {r['error']}"
        if not mark.startswith(("MISS", "ERROR")):
            continue
        raw = r["raw"] or {}
        sql = " ".join((raw.get("slowest_sql") or "").split())[:SQL_PREVIEW]
        lines.append(
            f"- {run['created']} {r['name']} | {m['vendor']} {m['database']} ({m['patients']:,} patients) | "
            f"p50 {_ms(r['p50_ms'])} ms, p95 {_ms(r['p95_ms'])} ms, {r['queries']} queries, "
            f"raw SQL {_ms(raw.get('p50_ms'))} ms, R_sql {_ratio(r['r_sql'])} | {mark} | "
            f"slowest SQL {_ms(raw.get('slowest_ms'))} ms: {sql}"
        )
    return lines


def growth_findings(small: dict, big: dict) -> list[str]:
    """One line per page whose p50 grew more than MAX_GROWTH from the small to the big run."""
    by_name = {r["name"]: r for r in results_of(small)}
    m, lines = big["machine"], []
    for r in results_of(big):
        s = by_name.get(r["name"])
        if s is None or r["error"] or s["error"] or not s["p50_ms"] or r["p50_ms"] / s["p50_ms"] <= MAX_GROWTH:
            continue
        raw = r["raw"] or {}
        sql = " ".join((raw.get("slowest_sql") or "").split())[:SQL_PREVIEW]
        lines.append(
            f"- {big['created']} {r['name']} | {m['vendor']} {small['machine']['patients']:,} -> "
            f"{m['patients']:,} patients | R_N {r['p50_ms'] / s['p50_ms']:.2f} (p50 {_ms(s['p50_ms'])} -> "
            f"{_ms(r['p50_ms'])} ms), {r['queries']} queries, raw SQL {_ms(raw.get('p50_ms'))} ms | "
            f"slowest SQL {_ms(raw.get('slowest_ms'))} ms: {sql}"
        )
    return lines


def markdown(small: dict, big: dict) -> str:
    """The comparison as a Markdown table, for docs/performance.md."""
    by_name = {r["name"]: r for r in results_of(small)}

    def when(run: dict) -> str:
        runs = run.get("merged_from") or [{"created": run["created"], "load_average": run["machine"]["load_average"]}]
        return ", ".join(f"{r['created'][11:16]} (load {r['load_average'][0]:.1f})" for r in runs)

    lines = [
        f"{big['machine']['vendor']} {big['machine']['server_version']}: {small['machine']['patients']:,} → "
        f"{big['machine']['patients']:,} patients ({big['machine']['appointments']:,} appointments), "
        f"K={big['options']['iterations']}; small: {when(small)}; big: {when(big)} (UTC, load average)",
        "",
        "| page | queries | p50 small | p50 big | p95 big | CPU p50 big | raw SQL big | R_sql big | R_N | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results_of(big):
        s = by_name.get(r["name"])
        if s is None or r["error"] or s["error"]:
            lines.append(f"| {r['name']} | error: {r['error'] or (s or {}).get('error')} |||||||||")
            continue
        growth = r["p50_ms"] / s["p50_ms"] if s["p50_ms"] else None
        mark = _mark(r["name"], r["p50_ms"], r["r_sql"])
        if growth is not None and growth > MAX_GROWTH:
            mark = f"{mark}, R_N>{MAX_GROWTH:g}" if mark.startswith("MISS") else f"MISS R_N>{MAX_GROWTH:g}"
        lines.append(
            f"| {r['name']} | {s['queries']}/{r['queries']} | {_ms(s['p50_ms'])} | {_ms(r['p50_ms'])} | "
            f"{_ms(r['p95_ms'])} | {_ms(r.get('cpu_p50_ms'))} | {_ms((r['raw'] or {}).get('p50_ms'))} | "
            f"{_ratio(r['r_sql'])} | {_ratio(growth)} | {mark or '–'} |"
        )
    return "\n".join(lines)


def best_of(runs: list[dict]) -> dict:
    """One run made of several runs of the same database: per page, the run with the lowest p50.
    On a shared machine other work only ever adds time, so the lowest p50 of a few runs taken
    at different moments is the closest to the page's own cost. The machine is the last run's;
    `merged_from` lists the runs."""
    best: dict[str, dict] = {}
    for run in runs:
        for result in results_of(run):
            kept = best.get(result["name"])
            if kept is None or (
                result["p50_ms"] is not None and (kept["p50_ms"] is None or result["p50_ms"] < kept["p50_ms"])
            ):
                best[result["name"]] = {**result, "from_run": run["created"]}
    names = [r["name"] for r in results_of(runs[0])]
    return {
        **runs[-1],
        "results": [best[name] for name in names],
        "merged_from": [{"created": run["created"], "load_average": run["machine"]["load_average"]} for run in runs],
    }
