"""Loading files into the typed model: every field problem at its file, line and column."""

from __future__ import annotations

import pytest
from helpers import hints_of, problems_of
from pydantic import ValidationError

from cxreport import model as m
from cxreport.pipeline import check


def test_minimal_project_loads_into_typed_model(make_project):
    root = make_project()
    project, problems = check(root)
    assert list(problems) == []
    journey = project.journeys["first-order"]
    assert isinstance(journey, m.Journey)
    assert [s.stage for s in journey.stages] == ["attention", "action"]
    ad = journey.stages[0].touchpoints[0]
    assert ad.feeling == m.Feeling(score=1, label="curious")
    assert journey.stages[1].touchpoints[0].feeling.score == -1.0  # a bare number is a score
    assert project.config.language == "en"
    assert list(project.pillars) == ["reliability", "availability", "personal_attention", "situational"]
    with pytest.raises(ValidationError):
        journey.title = "changed"  # immutable


# A misspelt key in site.yml: tests/hostile/test_config.py (the hostile-input catalogue).


def test_misspelt_key_in_a_touchpoint_suggests_the_nearest(make_project):
    root = make_project(
        {
            "content/journeys/j.yml": """\
        title: J
        persona: parent
        stages:
          - stage: attention
            touchpoints:
              - id: ad
                name: Ad
                feeling: 1
                pain_pionts: [slow]
        """
        }
    )
    assert problems_of(root) == [("content/journeys/j.yml", 9, 9, "unknown field 'pain_pionts'")]
    assert hints_of(root) == ["did you mean 'pain_points'?"]


def test_missing_field_points_at_the_mapping_that_lacks_it(make_project):
    root = make_project(
        {
            "content/journeys/j.yml": """\
        title: J
        persona: parent
        stages:
          - stage: attention
            touchpoints:
              - id: ad
                feeling: 1
        """
        }
    )
    assert problems_of(root) == [("content/journeys/j.yml", 6, 9, "missing required field 'name'")]


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("state", "curent", "state: 'curent' is not allowed; use 'current' or 'future'"),
        ("persona", "Drukke Ouder", "persona: 'Drukke Ouder' is not a valid id"),
        ("title", "", "title: must not be empty"),
        ("title", "[a, b]", "title: expected text, found a list"),
    ],
)
def test_wrong_values_in_a_journey(make_project, field, value, message):
    text = {"state": "current", "persona": "parent", "title": "J"}
    text[field] = value
    body = "\n".join(f"{k}: {v if v else chr(34) * 2}" for k, v in text.items())
    root = make_project(
        {"content/journeys/j.yml": body + "\nstages:\n  - stage: attention\n    touchpoints: [{id: a, name: A, feeling: 0}]\n"}
    )
    line = list(text).index(field) + 1
    [(path, pline, _, pmessage)] = problems_of(root)
    assert (path, pline, pmessage) == ("content/journeys/j.yml", line, message)


def test_feeling_out_of_range_and_not_a_number(make_project):
    root = make_project(
        {
            "content/journeys/j.yml": """\
        title: J
        persona: parent
        stages:
          - stage: attention
            touchpoints:
              - {id: a, name: A, feeling: {score: 3}}
              - {id: b, name: B, feeling: {score: "1,5"}}
        """
        }
    )
    assert problems_of(root) == [
        ("content/journeys/j.yml", 6, 43, "score: '3' is out of range: must be from -2 to 2"),
        ("content/journeys/j.yml", 7, 43, "score: expected a number, found '1,5'"),
    ]
    assert hints_of(root)[1] == "write numbers with a decimal point, e.g. 1.5"


def test_yes_no_stay_text_where_text_is_expected_and_count_as_booleans_where_asked(make_project):
    root = make_project(
        {
            "site.yml": "title: no\nstrict: no\n",
            "content/personas/parent.yml": "name: yes\nsegment: off\n",
        }
    )
    project, problems = check(root)
    assert list(problems) == []
    assert project.config.title == "no"
    assert project.config.strict is False
    assert (project.personas["parent"].name, project.personas["parent"].segment) == ("yes", "off")


def test_numbers_keep_their_text_where_text_is_expected(make_project):
    root = make_project({"content/personas/parent.yml": "name: 1.10\nsegment: 0555\nquote: 10:30\n"})
    project, _ = check(root)
    persona = project.personas["parent"]
    assert (persona.name, persona.segment, persona.quote) == ("1.10", "0555", "10:30")


def test_front_matter_problem_lines_count_from_the_fence(make_project):
    root = make_project({"content/playbooks/p.md": "---\ntitle: P\ntype: surprise\nbudget: lots\n---\nBody\n"})
    assert problems_of(root) == [
        ("content/playbooks/p.md", 2, 1, "missing required field 'trigger'"),
        ("content/playbooks/p.md", 4, 9, "budget: expected a number, found 'lots'"),
    ]


def test_unknown_playbook_type_suggests_the_nearest(make_project):
    root = make_project({"content/playbooks/p.md": "---\ntitle: P\ntype: storie\n---\n"})
    assert problems_of(root) == [("content/playbooks/p.md", 3, 7, "type: 'storie' is not a playbook type")]
    assert hints_of(root) == ["did you mean 'story'?"]


def test_file_name_that_is_not_an_id(make_project):
    root = make_project({"content/personas/Drukke Ouder.yml": "name: Sanne\n"})
    assert problems_of(root) == [("content/personas/Drukke Ouder.yml", 1, 1, "file name 'Drukke Ouder' is not a valid id")]
    assert hints_of(root) == ["rename the file to 'drukke-ouder.yml' or set 'id: drukke-ouder' in it"]


def test_id_set_in_file_overrides_stem_and_duplicates_are_refused(make_project):
    root = make_project({"content/personas/zz.yml": "id: parent\nname: Other\n"})
    assert problems_of(root) == [
        ("content/personas/zz.yml", 1, 1, "persona id 'parent' is already used by content/personas/parent.yml")
    ]


def test_missing_site_yml(make_project):
    root = make_project({}, minimal=False)
    assert problems_of(root) == [("site.yml", 0, 0, "no site.yml in the project folder")]


def test_other_files_in_content_folders_are_warned_about(make_project):
    root = make_project({"content/journeys/notes.txt": "x"})
    assert problems_of(root) == [("content/journeys/notes.txt", 0, 0, "file ignored: journey files end in .yml or .yaml")]


# A content file that links out of the project: tests/hostile/test_filesystem.py.


def test_every_problem_is_reported_not_just_the_first(make_project):
    root = make_project(
        {
            "site.yml": "title: T\ntheme: nope\n",
            "content/personas/a.yml": "name: A\nname: B\n",
            "content/personas/b.yml": "nmae: B\n",
            "content/pages/p.md": "no front matter\n",
        }
    )
    paths = sorted({p for p, *_ in problems_of(root)})
    assert paths == ["content/pages/p.md", "content/personas/a.yml", "content/personas/b.yml", "site.yml"]


def test_hints_that_fix_the_mistake(make_project):
    """The range of a feeling, the form of a feeling written as a word, and the id a name most likely means."""
    root = make_project(
        {
            "content/journeys/j.yml": """\
        title: J
        persona: parent
        stages:
          - stage: Levering
            touchpoints:
              - {id: a, name: A, feeling: {score: 3}}
              - {id: b, name: B, feeling: gefrustreerd}
              - {id: c, name: C, feeling: {score: "heel blij"}}
              - {id: d, name: D, feeling: -3, pillars: {Persoonlijke Aandacht: x}}
        """,
            "content/playbooks/s.md": "---\ntype: surprise\ntitle: S\ntrigger: t\nbudget: -5\n---\n",
        }
    )
    _, problems = check(root)
    assert [(p.line, p.col, p.message, p.hint) for p in problems] == [
        (
            4,
            12,
            "stage: 'Levering' is not a valid id",
            "did you mean 'levering'? An id uses lowercase letters, digits, '-' and '_', and starts with a letter or digit",
        ),
        (
            6,
            43,
            "score: '3' is out of range: must be from -2 to 2",
            "a feeling runs from -2 (very negative) to 2 (very positive)",
        ),
        (
            7,
            35,
            "feeling: expected a feeling from -2 to 2, found 'gefrustreerd'",
            "write 'feeling: {score: N, label: gefrustreerd}' with N from -2 (very negative) to 2 (very positive)",
        ),
        (
            8,
            43,
            "score: expected a score from -2 to 2, found 'heel blij'",
            "write 'feeling: {score: N, label: heel blij}' with N from -2 (very negative) to 2 (very positive)",
        ),
        (
            9,
            35,
            "feeling: '-3' is out of range: must be from -2 to 2",
            "a feeling runs from -2 (very negative) to 2 (very positive)",
        ),
        (
            9,
            49,
            "'Persoonlijke Aandacht' is not a valid id",
            "did you mean 'persoonlijke-aandacht'? An id uses lowercase letters, digits, '-' and '_', and starts with a letter "
            "or digit",
        ),
        (5, 9, "budget: '-5' is out of range: must be 0 or more", ""),
    ]


def test_a_flow_list_that_split_a_sentence_at_a_comma_is_warned(make_project):
    root = make_project(
        {
            "content/journeys/j.yml": """\
        title: J
        persona: parent
        stages:
          - stage: attention
            touchpoints:
              - id: a
                name: A
                feeling: 1
                pain_points: [Veel advertenties, weinig reviews]
                doing: [zoekt, vergelijkt]
                thinking: [Is dit goed, "of niet?"]
                opportunities:
                  - Prijs, levertijd en retour
                  - en meer
                backstage: [Campagne, Ads, en nog wat, meer]
                pillars: [Reliability, availability]
        """,
            "content/personas/parent.yml": "name: P\ngoals: [Snel klaar, zonder gedoe]\nchannels: [Web, app]\n",
        }
    )
    _, problems = check(root)
    assert [(p.path, p.line, p.col, p.severity, p.code, p.message) for p in problems if p.code != "invalid-id"] == [
        (
            "content/journeys/j.yml",
            9,
            42,
            "warning",
            "flow-list-comma",
            "pain_points: the comma before 'weinig reviews' makes it an item of its own (2 items in this list)",
        ),
        (
            "content/journeys/j.yml",
            15,
            36,
            "warning",
            "flow-list-comma",
            "backstage: the comma before 'en nog wat' makes it an item of its own (4 items in this list)",
        ),
        (
            "content/personas/parent.yml",
            2,
            21,
            "warning",
            "flow-list-comma",
            "goals: the comma before 'zonder gedoe' makes it an item of its own (2 items in this list)",
        ),
    ]
