"""Progress of a multi-organisation run, notebook by notebook.

Worker processes put small event dicts on a queue; a thread in the parent turns them into one
progress bar per organisation on a terminal, or into one plain line per event otherwise (CI logs).
"""

from __future__ import annotations

import sys
import threading

_STOP = {"kind": "__stop__"}


class ProgressDisplay:
    """Show progress events from a queue until :meth:`stop` is called.

    Parameters
    ----------
    orgs : list of str
        Organisation ids, in display order.
    enabled : bool
        ``False`` shows nothing.
    stream : file-like
        Where to write (default ``sys.stderr``).
    """

    def __init__(self, orgs: list[str], enabled: bool = True, stream=None):
        self.orgs = orgs
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._bars: dict[str, object] = {}
        self._totals: dict[str, int] = {}
        self._thread: threading.Thread | None = None

    def start(self, queue) -> None:
        """Start consuming events from ``queue`` in a background thread."""
        self._thread = threading.Thread(target=self._loop, args=(queue,), daemon=True)
        self._thread.start()

    def stop(self, queue) -> None:
        """Stop after the events already queued have been shown."""
        queue.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout=10)
        for bar in self._bars.values():
            bar.close()

    def _loop(self, queue) -> None:
        while True:
            try:
                event = queue.get()
            except (EOFError, OSError):
                return
            if event.get("kind") == _STOP["kind"]:
                return
            if self.enabled:
                self._show(event)

    def _show(self, e: dict) -> None:
        org = e.get("org", "?")
        if self.tty:
            from tqdm import tqdm

            if e["kind"] == "start":
                pos = self.orgs.index(org) if org in self.orgs else len(self._bars)
                self._bars[org] = tqdm(total=e["total"], desc=f"{org:<16}", position=pos, leave=True,
                                       unit="nb", file=self.stream, bar_format="{desc} {bar} {n_fmt}/{total_fmt} {postfix}")
            elif e["kind"] == "notebook" and org in self._bars:
                bar = self._bars[org]
                bar.set_postfix_str(f"{e['notebook']} {e['status']} {e['seconds']:.1f}s")
                if e.get("i") and e["i"] <= bar.total:
                    bar.update(1)
            elif e["kind"] == "done" and org in self._bars:
                self._bars[org].set_postfix_str(f"{e['status']} in {e['seconds']:.1f}s")
            return
        if e["kind"] == "start":
            self._totals[org] = e["total"]
            print(f"[{org}] starting {e['total']} notebooks", file=self.stream, flush=True)
        elif e["kind"] == "notebook":
            total = self._totals.get(org, 0)
            count = f"{e['i']:>2}/{total}" if e.get("i") and e["i"] <= total else "    ·"
            print(f"[{org}] {count} {e['notebook']:<28} {e['status']:<7} {e['seconds']:6.1f}s",
                  file=self.stream, flush=True)
        elif e["kind"] == "done":
            print(f"[{org}] {e['status']} in {e['seconds']:.1f}s", file=self.stream, flush=True)
