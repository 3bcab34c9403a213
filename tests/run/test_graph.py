"""The notebook graph (``cxtemplate.run.graph``): prerequisites resolved from declarations, tasks run in
dependency order at most ``workers`` at a time, a failure stops new tasks, reused tasks are not run.

The tasks are tiny fakes that count their calls; concurrency is shown with barriers and events, never
with sleeps or timings.
"""

from __future__ import annotations

import threading

import pytest

from cxtemplate.run.graph import Task, dependencies, run_graph

NAMES = ["00_data", "01_maturity", "02_objectives", "06_actions"]


class Recorder:
    """Fake task bodies that log when they start and end and count their calls."""

    def __init__(self):
        self.lock = threading.Lock()
        self.log: list[str] = []
        self.calls: dict[str, int] = {}
        self.active = 0
        self.peak = 0

    def task(self, name, after=(), result=None, before_end=None):
        def run():
            with self.lock:
                self.calls[name] = self.calls.get(name, 0) + 1
                self.log.append(f"start {name}")
                self.active += 1
                self.peak = max(self.peak, self.active)
            try:
                if before_end is not None:
                    before_end()
                if isinstance(result, Exception):
                    raise result
                return result
            finally:
                with self.lock:
                    self.active -= 1
                    self.log.append(f"end {name}")

        return Task(name, run, set(after))


# --------------------------------------------------------------------------- dependencies


def test_without_a_declaration_a_notebook_waits_for_every_earlier_one():
    deps = dependencies(NAMES, {})
    assert deps == {"00_data": set(), "01_maturity": {"00_data"}, "02_objectives": {"00_data", "01_maturity"},
                    "06_actions": {"00_data", "01_maturity", "02_objectives"}}


def test_a_declaration_replaces_the_default_and_an_empty_one_means_no_prerequisites():
    deps = dependencies(NAMES, {"01_maturity": ["00_data"], "02_objectives": ["00_data"], "06_actions": [],
                                "00_data": None})
    assert deps == {"00_data": set(), "01_maturity": {"00_data"}, "02_objectives": {"00_data"}, "06_actions": set()}


@pytest.mark.parametrize("after", [["06_actions"], ["01_maturity"], ["99_unknown"]])
def test_a_prerequisite_that_is_not_an_earlier_notebook_is_refused_by_name(after):
    with pytest.raises(ValueError, match=r"01_maturity declares after: \[.*\], which are not earlier") as info:
        dependencies(NAMES, {"01_maturity": after})
    assert after[0] in str(info.value)


# --------------------------------------------------------------------------- running


def test_every_task_runs_once_after_its_prerequisites():
    rec = Recorder()
    # a diamond: 00 → (01, 02) → 06, with room for all of them at once
    tasks = [rec.task("00_data"), rec.task("01_maturity", ["00_data"]), rec.task("02_objectives", ["00_data"]),
             rec.task("06_actions", ["01_maturity", "02_objectives"])]
    status, failure = run_graph(tasks, workers=4)
    assert status == dict.fromkeys(NAMES, "ok")
    assert failure is None
    assert rec.calls == dict.fromkeys(NAMES, 1)
    pos = rec.log.index
    assert pos("end 00_data") < pos("start 01_maturity") and pos("end 00_data") < pos("start 02_objectives")
    assert pos("start 06_actions") > max(pos("end 01_maturity"), pos("end 02_objectives"))


def test_one_worker_runs_one_task_at_a_time_in_the_given_order():
    rec = Recorder()
    tasks = [rec.task(n) for n in NAMES]  # all independent
    status, _ = run_graph(tasks, workers=1)
    assert set(status.values()) == {"ok"}
    assert rec.peak == 1
    assert rec.log == [f"{e} {n}" for n in NAMES for e in ("start", "end")]


def test_two_workers_run_two_tasks_at_once_and_never_three():
    rec = Recorder()
    # each task waits until another one is running beside it: this completes only if two run together
    pair = threading.Barrier(2, timeout=10)
    tasks = [rec.task(f"{i:02d}_t", before_end=pair.wait) for i in range(6)]
    status, failure = run_graph(tasks, workers=2)
    assert failure is None and set(status.values()) == {"ok"}
    assert rec.peak == 2
    assert sum(rec.calls.values()) == 6


def test_zero_workers_still_runs_one_at_a_time():
    rec = Recorder()
    status, _ = run_graph([rec.task("a"), rec.task("b")], workers=0)
    assert status == {"a": "ok", "b": "ok"} and rec.peak == 1


def test_after_a_failure_nothing_new_starts():
    rec = Recorder()
    boom = {"message": "01_maturity failed in cell 3"}
    tasks = [rec.task("00_data"), rec.task("01_maturity", ["00_data"], result=boom),
             rec.task("02_objectives", ["00_data"]), rec.task("06_actions", ["01_maturity", "02_objectives"])]
    status, failure = run_graph(tasks, workers=1)
    assert status == {"00_data": "ok", "01_maturity": "failed", "02_objectives": "not run", "06_actions": "not run"}
    assert failure == boom
    assert "02_objectives" not in rec.calls and "06_actions" not in rec.calls


def test_a_task_running_when_another_fails_is_allowed_to_finish():
    rec = Recorder()
    failed = threading.Event()

    def fail_and_signal():
        failed.set()

    def wait_for_the_failure():
        assert failed.wait(10)

    tasks = [rec.task("a", result={"message": "a failed"}, before_end=fail_and_signal),
             rec.task("b", before_end=wait_for_the_failure)]
    status, failure = run_graph(tasks, workers=2)
    assert status == {"a": "failed", "b": "ok"}
    assert failure == {"message": "a failed"}


def test_the_first_failure_is_the_one_reported():
    rec = Recorder()
    tasks = [rec.task("a", result={"message": "first"}), rec.task("b", result={"message": "second"})]
    status, failure = run_graph(tasks, workers=1)
    assert status == {"a": "failed", "b": "not run"}
    assert failure == {"message": "first"}


def test_an_exception_in_a_task_is_a_failure_naming_the_task():
    rec = Recorder()
    tasks = [rec.task("00_data", result=KeyError("customer_id")), rec.task("01_maturity", ["00_data"])]
    status, failure = run_graph(tasks, workers=2)
    assert status == {"00_data": "failed", "01_maturity": "not run"}
    assert failure == {"message": "00_data: KeyError: 'customer_id'"}


def test_reused_tasks_are_not_run_and_count_as_done_for_the_others():
    rec = Recorder()
    tasks = [rec.task("00_data"), rec.task("01_maturity", ["00_data"]), rec.task("02_objectives", ["01_maturity"])]
    status, failure = run_graph(tasks, workers=2, done={"00_data", "01_maturity"})
    assert status == {"00_data": "reused", "01_maturity": "reused", "02_objectives": "ok"}
    assert failure is None
    assert rec.calls == {"02_objectives": 1}


def test_the_done_set_given_by_the_caller_is_not_modified():
    rec = Recorder()
    done = {"a"}
    run_graph([rec.task("a"), rec.task("b", ["a"])], done=done)
    assert done == {"a"}
