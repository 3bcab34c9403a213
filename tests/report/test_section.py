"""Tests of cxtemplate.report.section: a section keeps what it shows in order and shows it only when asked."""

from __future__ import annotations

import pandas as pd

from cxtemplate.report import section as page
from cxtemplate.report.display import TableView
from cxtemplate.report.section import Absent, Chart, Section


def _section() -> Section:
    s = Section()
    s.say("First.")
    s.absent("There are no widgets", "nothing is counted")
    s.table(TableView(pd.DataFrame({"A": [1]}), "T"))
    s.chart(lambda *a, **k: ("drawn", a, k), 1, 2, title="C")
    s.note("How.")
    s.keep("one", pd.DataFrame({"x": [1]}))
    s.keep("two", {"k": 2})
    return s


def test_a_section_keeps_what_it_shows_in_order():
    s = _section()
    assert s.sentences == ["First.", "*There are no widgets — nothing is counted*", "<span class='cx-note'>How.</span>"]
    assert [t.title for t in s.tables] == ["T"]
    assert [c.kwargs["title"] for c in s.charts] == ["C"]
    assert s.charts[0].draw() == ("drawn", (1, 2), {"title": "C"})
    assert list(s.artifacts) == ["one", "two"]
    assert Absent("No x", "y").text == "*No x — y*"


def test_show_displays_every_item_in_order_and_save_hands_over_every_artifact(monkeypatch):
    shown = []
    monkeypatch.setattr(page, "say", lambda text: shown.append(("say", text)))
    monkeypatch.setattr(page, "absent", lambda what, why: shown.append(("absent", what, why)))
    monkeypatch.setattr(page, "show_table", lambda view: shown.append(("table", view.title)))

    class Axes:
        figure = "figure"

    monkeypatch.setattr(page, "show_figure", lambda fig, alt=None: shown.append(("figure", fig, alt)))
    s = _section()
    s.items[3] = Chart(lambda: Axes(), alt="C: rises")
    s.show()
    assert shown == [("say", "First."), ("absent", "There are no widgets", "nothing is counted"), ("table", "T"),
                     ("figure", "figure", "C: rises"), ("say", "<span class='cx-note'>How.</span>")]
    saved = []
    s.save(lambda name, obj: saved.append(name))
    assert saved == ["one", "two"]




def test_a_note_keeps_its_small_type_and_shows_a_value_from_the_data_as_text(monkeypatch):
    import IPython.display

    out = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: out.extend(objs))
    s = Section()
    s.note("Trained on 'Leeds <script>alert(1)</script>' comments.")
    s.show()
    assert [o.data for o in out] == [
        "<p><span class=\"cx-note\">Trained on 'Leeds &lt;script&gt;alert(1)&lt;/script&gt;' comments.</span></p>\n"]


def test_method_text_goes_into_one_collapsible_note_at_the_end_kept_apart_from_what_was_found(monkeypatch):
    import IPython.display

    from cxtemplate.report import section as sec

    shown = []
    monkeypatch.setattr(sec, "say", shown.append)
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(o.data for o in objs))
    s = Section()
    s.method("Shapley values of the <b>R²</b>.")
    s.say("What was found.")
    s.method("Adjusted by Benjamini–Hochberg.")
    assert s.methods == ["Shapley values of the <b>R²</b>.", "Adjusted by Benjamini–Hochberg."]
    assert s.sentences == ["What was found."]
    s.show()
    assert shown[0] == "What was found."
    (note,) = shown[1:]
    assert note.startswith("<details class='cx-method'><summary>How this was measured</summary>")
    assert note.count("<details") == 1 and "Benjamini–Hochberg" in note and note.endswith("</details>")
    assert "&lt;b&gt;" in note and "<b>" not in note  # method text is escaped like any sentence
    assert Section().methods == []
