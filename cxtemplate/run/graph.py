"""Running an organisation's notebooks as a dependency graph, a few at a time.

Numbering is execution order and a notebook reads only lower-numbered notebooks' results, but
most notebooks need only some of them (01–05 need only 00). A notebook may declare what it needs
in its metadata (``cxtemplate: {after: [00_data_integration]}``); without a declaration it waits for
every lower-numbered notebook. Ready notebooks run in parallel threads (each in its own kernel);
after a failure nothing new starts, running ones finish, and the rest are reported as not run.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field


@dataclass
class Task:
    """One unit of work: a name, the names it waits for, and the call that does it.

    ``run`` returns ``None`` on success or a failure record (a dict with a ``message``).
    """

    name: str
    run: Callable[[], dict | None]
    after: set[str] = field(default_factory=set)


def dependencies(names: list[str], declared: dict[str, list[str] | None]) -> dict[str, set[str]]:
    """Resolve each notebook's prerequisites: its declaration, or every earlier notebook.

    Raises
    ------
    ValueError
        When a notebook declares a prerequisite that is not an earlier notebook of the flow.
    """
    out: dict[str, set[str]] = {}
    for i, name in enumerate(names):
        earlier = names[:i]
        after = declared.get(name)
        if after is None:
            out[name] = set(earlier)
            continue
        bad = [a for a in after if a not in earlier]
        if bad:
            raise ValueError(f"{name} declares after: {bad}, which are not earlier notebooks of the flow")
        out[name] = set(after)
    return out


def run_graph(tasks: list[Task], workers: int = 1, done: set[str] | None = None) -> tuple[dict[str, str], dict | None]:
    """Run tasks respecting their prerequisites, at most ``workers`` at a time.

    Parameters
    ----------
    tasks : list of Task
        In a valid topological order (prerequisites first).
    workers : int
        Parallel tasks.
    done : set of str, optional
        Tasks already complete (reused from an earlier attempt); they are not run.

    Returns
    -------
    (dict, dict or None)
        Status per task name (``ok``, ``failed``, ``not run`` or ``reused``) and the first failure.
    """
    done = set(done or ())
    status = {t.name: ("reused" if t.name in done else "pending") for t in tasks}
    first_failure: dict | None = None
    pending = [t for t in tasks if t.name not in done]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        running = {}
        while pending or running:
            if first_failure is None:
                for t in list(pending):
                    if len(running) >= max(1, workers):
                        break
                    if t.after <= done:
                        pending.remove(t)
                        status[t.name] = "running"
                        running[pool.submit(t.run)] = t
            if not running:
                break  # nothing runnable: a failure stopped the flow, or prerequisites failed
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                t = running.pop(fut)
                try:
                    failure = fut.result()
                except Exception as exc:  # noqa: BLE001 - a task's own bug is a failure like any other
                    failure = {"message": f"{t.name}: {type(exc).__name__}: {exc}"}
                if failure is None:
                    status[t.name] = "ok"
                    done.add(t.name)
                else:
                    status[t.name] = "failed"
                    first_failure = first_failure or failure
    for name, s in status.items():
        if s == "pending":
            status[name] = "not run"
    return status, first_failure
