"""Mermaid user journeys: export a journey map as a `journey` diagram, import a diagram as a journey file.

Mapping (also in docs/format.md, "Mermaid"):
- title = the journey's title (also written as accTitle), accDescr = its summary; one `section` per stage,
  named as in the stage model;
- one task per touchpoint: `Name: score: actors`, score = feeling + 3 (-2..2 -> 1..5, half up),
  actors = the channel (commas in it separate actors), none without a channel;
- import maps scores back (score - 3; Mermaid's 0 becomes -2), matches sections to a stage model of
  the site by id or name (English or Dutch for the built-in stages; case and accents ignored), or
  makes a new stage model for the site to add.

Reading a diagram is in diagram, writing one in export, making a journey file of one in journey_file.
"""

from .diagram import Diagram, MermaidError, Section, Task, decode, encode, fold, parse_mermaid, slugify, unique
from .export import actors_of, mermaid_score, stage_names, to_mermaid
from .files import write_new, write_replacing
from .journey_file import Imported, import_diagram, match_stage_model

__all__ = [
    "Diagram",
    "Imported",
    "MermaidError",
    "Section",
    "Task",
    "actors_of",
    "decode",
    "encode",
    "fold",
    "import_diagram",
    "match_stage_model",
    "mermaid_score",
    "parse_mermaid",
    "slugify",
    "stage_names",
    "to_mermaid",
    "unique",
    "write_new",
    "write_replacing",
]
