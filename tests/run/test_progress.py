"""Progress of a multi-organisation run (``cxtemplate.run.progress``): one plain line per event when the
stream is not a terminal (CI logs), one bar per organisation on a terminal, nothing when disabled."""

from __future__ import annotations

import io
import queue
import re

from cxtemplate.run.progress import ProgressDisplay

EVENTS = [
    {"kind": "start", "org": "acme", "total": 3},
    {"kind": "notebook", "org": "acme", "notebook": "00_data_integration", "status": "ok", "seconds": 4.26, "i": 1},
    {"kind": "notebook", "org": "acme", "notebook": "01_maturity", "status": "failed", "seconds": 12.0, "i": 2},
    {"kind": "notebook", "org": "acme", "notebook": "index", "status": "ok", "seconds": 0.04, "i": 4},
    {"kind": "done", "org": "acme", "status": "failed", "seconds": 16.33},
]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def show(events, stream, enabled=True, orgs=("acme",)):
    q = queue.Queue()
    display = ProgressDisplay(list(orgs), enabled=enabled, stream=stream)
    display.start(q)
    for e in events:
        q.put(e)
    display.stop(q)  # returns once the queued events have been shown
    return stream.getvalue()


def test_plain_lines_one_per_event_with_counts_and_times():
    text = show(EVENTS, io.StringIO())
    assert text.splitlines() == [
        "[acme] starting 3 notebooks",
        "[acme]  1/3 00_data_integration          ok         4.3s",
        "[acme]  2/3 01_maturity                  failed    12.0s",
        "[acme]     · index                        ok         0.0s",  # beyond the count: the index page
        "[acme] failed in 16.3s",
    ]


def test_a_disabled_display_shows_nothing_but_still_drains_the_queue():
    q = queue.Queue()
    stream = io.StringIO()
    display = ProgressDisplay(["acme"], enabled=False, stream=stream)
    display.start(q)
    for e in EVENTS:
        q.put(e)
    display.stop(q)
    assert stream.getvalue() == ""
    assert q.empty()  # the stop marker, queued last, was consumed


def test_on_a_terminal_each_organisation_gets_a_bar_that_counts_its_notebooks():
    events = [{"kind": "start", "org": "acme", "total": 2}, {"kind": "start", "org": "bravo", "total": 2},
              {"kind": "notebook", "org": "bravo", "notebook": "00_data_integration", "status": "ok",
               "seconds": 1.0, "i": 1},
              {"kind": "notebook", "org": "acme", "notebook": "00_data_integration", "status": "ok",
               "seconds": 2.0, "i": 1},
              {"kind": "notebook", "org": "acme", "notebook": "01_maturity", "status": "ok", "seconds": 3.0, "i": 2},
              {"kind": "done", "org": "acme", "status": "ok", "seconds": 5.0}]
    stream = Terminal()
    q = queue.Queue()
    display = ProgressDisplay(["acme", "bravo"], stream=stream)
    display.start(q)
    for e in events:
        q.put(e)
    display.stop(q)
    # the last state each bar drew: "<org padded> <bar> n/total , <postfix>"
    drawn = [seg.replace("\x1b[A", "").strip() for seg in re.split(r"[\r\n]", stream.getvalue())]
    last = {org: [seg for seg in drawn if seg.startswith(org)][-1] for org in ("acme", "bravo")}
    assert re.fullmatch(r"acme +#+ +2/2 , ok in 5\.0s", last["acme"]), last["acme"]
    assert re.fullmatch(r"bravo +#+ +1/2 , 00_data_integration ok 1\.0s", last["bravo"]), last["bravo"]
    text = stream.getvalue()
    assert "[acme]" not in text  # no plain lines on a terminal


def test_an_event_for_an_unknown_organisation_does_not_stop_the_display():
    text = show([{"kind": "notebook", "org": "ghost", "notebook": "x", "status": "ok", "seconds": 1.0, "i": 1},
                 *EVENTS[:1]], io.StringIO())
    assert text.splitlines()[0] == "[ghost]     · x                            ok         1.0s"
    assert text.splitlines()[1] == "[acme] starting 3 notebooks"
