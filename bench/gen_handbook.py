"""Generate a synthetic handbook of size S, M or L for the benchmarks (deterministic).

    python bench/gen_handbook.py --size M --out bench/data/handbook-M

L: 1,000 journeys of 5 stages x 4 touchpoints, 200 personas, 2,000 playbooks of
~800 words, 100 pages and an NPS CSV of 10 million rows. S and M scale down.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SIZES = {  # journeys, personas, playbooks, pages, nps rows
    "S": (10, 4, 20, 10, 100_000),
    "M": (100, 20, 200, 100, 1_000_000),
    "L": (1000, 200, 2000, 100, 10_000_000),
}
STAGES = ["attention", "interest", "desire", "action", "satisfaction"]
WORDS = [
    "klant",
    "levering",
    "bestelling",
    "retour",
    "winkelmand",
    "betaling",
    "pakket",
    "bezorger",
    "service",
    "vraag",
    "antwoord",
    "tevreden",
    "snel",
    "duidelijk",
    "prijs",
    "maat",
    "kwaliteit",
    "verpakking",
    "verrassing",
    "ervaring",
    "moment",
    "kanaal",
    "website",
    "app",
    "winkel",
    "medewerker",
    "team",
    "plan",
    "meting",
    "doel",
    "inzicht",
    "verbetering",
    "customer",
    "journey",
    "touchpoint",
]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def markdown_body(rng: random.Random, words: int = 800) -> str:
    """Give about `words` words of Markdown with headings, lists and a table."""
    parts, count, section = [], 0, 1
    while count < words:
        parts.append(f"## Onderdeel {section}\n")
        para = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(5))
        parts.append(para + "\n")
        items = [f"- {sentence(rng, rng.randint(4, 8))}" for _ in range(4)]
        parts.append("\n".join(items) + "\n")
        if section % 2 == 1:
            rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.choice(WORDS)} |" for _ in range(4))
            parts.append("| Wat | Aantal | Opmerking |\n|---|---|---|\n" + rows + "\n")
        count += len(para.split()) + sum(len(i.split()) for i in items) + 20
        section += 1
    return "\n".join(parts)


def journey_yaml(rng: random.Random, j: int, personas: int) -> str:
    lines = [f"title: Klantreis {j}", f"persona: persona-{j % personas}", "state: current", "stages:"]
    for s, stage in enumerate(STAGES):
        lines += [f"  - stage: {stage}", f"    goal: {sentence(rng, 6)}", "    touchpoints:"]
        for t in range(4):
            tid = f"tp-{s}-{t}"
            lines += [
                f"      - id: {tid}",
                f"        name: {sentence(rng, 3)[:-1]}",
                f"        channel: {rng.choice(['web', 'app', 'mail', 'winkel', 'telefoon'])}",
                "        owner: Team Klant",
                f"        pillars: [{rng.choice(['reliability', 'availability', 'personal_attention', 'situational'])}]",
                f"        doing: [{sentence(rng, 5)}]",
                f"        thinking: [{sentence(rng, 5)}]",
                f"        feeling: {{score: {rng.randint(-2, 2)}, label: {rng.choice(WORDS)}}}",
                f"        pain_points: [{sentence(rng, 6)}]",
                f"        opportunities: [{sentence(rng, 6)}]",
                f"        backstage: [{sentence(rng, 4)}]",
                f"        evidence: [{{kind: {rng.choice(['interview', 'survey', 'assumption'])}, source: onderzoek {j}}}]",
                "        metrics: [nps]",
            ]
    return "\n".join(lines) + "\n"


def write_nps_csv(path: Path, rows: int, journeys: int) -> None:
    """Write an NPS CSV with DuckDB (date, journey, touchpoint, segment, score), deterministic."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"""
        COPY (
          SELECT (DATE '2024-01-01' + CAST(hash(i, 1) % 730 AS INTEGER))::VARCHAR AS date,
                 'journey-' || CAST(hash(i, 2) % {journeys} AS VARCHAR) AS journey,
                 'tp-' || CAST(hash(i, 3) % 5 AS VARCHAR) || '-' || CAST(hash(i, 4) % 4 AS VARCHAR) AS touchpoint,
                 'segment-' || CAST(hash(i, 5) % 4 AS VARCHAR) AS segment,
                 CAST(hash(i, 6) % 11 AS INTEGER) AS score
          FROM range({rows}) t(i) ORDER BY i
        ) TO '{path.as_posix()}' (HEADER, DELIMITER ',')
    """)
    con.close()


def generate(size: str, out: Path, csv: bool = True) -> Path:
    """Write the handbook of one size into out (replacing it) and give out."""
    journeys, personas, playbooks, pages, rows = SIZES[size]
    rng = random.Random(7)
    if out.exists():
        shutil.rmtree(out)
    for sub in ("journeys", "personas", "playbooks", "pages", "metrics"):
        (out / "content" / sub).mkdir(parents=True)
    (out / "site.yml").write_text(
        f"title: Benchmark handbook {size}\nlanguage: nl\ntargets:\n  nps: {{good: 30, bad: 0}}\n"
        "metrics:\n  - {id: nps, file: metrics/nps.csv, type: nps, period: month, label: NPS}\n",
        encoding="utf-8",
    )
    for p in range(personas):
        (out / f"content/personas/persona-{p}.yml").write_text(
            f"name: Persona {p}\nquote: {sentence(rng, 6)}\nsegment: segment-{p % 4}\ngoals: [{sentence(rng, 4)}]\n",
            encoding="utf-8",
        )
    for j in range(journeys):
        (out / f"content/journeys/journey-{j}.yml").write_text(journey_yaml(rng, j, personas), encoding="utf-8")
    kinds = ["surprise", "recovery", "story", "guide"]
    for b in range(playbooks):
        kind = kinds[b % 4]
        j = b % journeys
        extra = {
            "surprise": f"trigger: {sentence(rng, 4)}\nstatus: live\njourney: journey-{j}\ntouchpoint: tp-4-0\n",
            "recovery": f"failure: {sentence(rng, 4)}\njourney: journey-{j}\ntouchpoint: tp-3-1\n",
            "story": f"journey: journey-{j}\npath: [tp-0-0, tp-1-1, tp-3-2]\n",
            "guide": f"order: {b}\n",
        }[kind]
        (out / f"content/playbooks/playbook-{b}.md").write_text(
            f"---\ntitle: Playbook {b}\ntype: {kind}\n{extra}---\n{markdown_body(rng)}", encoding="utf-8"
        )
    for p in range(pages):
        (out / f"content/pages/page-{p}.md").write_text(
            f"---\ntitle: Pagina {p}\norder: {p}\n---\n{markdown_body(rng)}", encoding="utf-8"
        )
    if csv:
        write_nps_csv(out / "content/metrics/nps.csv", rows, journeys)
    else:
        (out / "content/metrics/nps.csv").write_text(
            "date,journey,touchpoint,segment,score\n2026-01-01,journey-0,tp-0-0,segment-0,9\n"
        )
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="S")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    target = args.out or Path(__file__).parent / "data" / f"handbook-{args.size}"
    generate(args.size, target)
    print(target)
