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

    monkeypatch.setattr(page, "show_figure", lambda fig: shown.append(("figure", fig)))
    s = _section()
    s.items[3] = Chart(lambda: Axes())
    s.show()
    assert shown == [("say", "First."), ("absent", "There are no widgets", "nothing is counted"), ("table", "T"),
                     ("figure", "figure"), ("say", "<span class='cx-note'>How.</span>")]
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


def test_method_text_is_shown_first_but_kept_apart_from_what_the_section_found(monkeypatch):
    from cxtemplate.report import section as sec

    shown = []
    monkeypatch.setattr(sec, "say", shown.append)
    s = Section()
    s.method("How it was measured.")
    s.say("What was found.")
    assert s.methods == ["How it was measured."] and s.sentences == ["What was found."]
    s.show()
    assert shown == ["How it was measured.", "What was found."]
    assert Section().methods == []
