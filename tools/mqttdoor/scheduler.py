"""One thread that runs delayed and periodic jobs, shared by a door or a whole fleet."""

from collections.abc import Callable
from dataclasses import dataclass, field
import heapq
import itertools
import logging
import threading
import time

_LOGGER = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class ScheduledJob:
    """A job waiting in a Scheduler; cancel() is safe from any thread."""

    callback: Callable[[], object]
    interval: float | None  # None: run once
    cancelled: bool = field(default=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """A timer thread: cheaper than one threading.Timer per delay, and joined on stop()."""

    def __init__(self, name: str = "mqttdoor-scheduler") -> None:
        self._name = name
        self._queue: list[tuple[float, int, ScheduledJob]] = []
        self._sequence = itertools.count()  # tie-breaker so jobs never get compared
        self._wakeup = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Drop every pending job and join the thread."""
        with self._wakeup:
            self._stopping = True
            self._queue.clear()
            self._wakeup.notify()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None

    def call_later(self, delay: float, callback: Callable[[], object]) -> ScheduledJob:
        job = ScheduledJob(callback, interval=None)
        self._push(time.monotonic() + delay, job)
        return job

    def call_every(
        self, interval: float, callback: Callable[[], object], first_delay: float | None = None
    ) -> ScheduledJob:
        job = ScheduledJob(callback, interval=interval)
        self._push(time.monotonic() + (interval if first_delay is None else first_delay), job)
        return job

    def _push(self, due: float, job: ScheduledJob) -> None:
        with self._wakeup:
            if self._stopping:
                return
            heapq.heappush(self._queue, (due, next(self._sequence), job))
            self._wakeup.notify()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                job = self._wait_for_due_job()
                if job is None:
                    return
            if job.cancelled:
                continue
            try:
                job.callback()
            except Exception:
                _LOGGER.exception("Scheduled job %r failed", job.callback)
            if job.interval is not None and not job.cancelled:
                self._push(time.monotonic() + job.interval, job)

    def _wait_for_due_job(self) -> ScheduledJob | None:
        """Block until a job is due (returned) or the scheduler stops (None)."""
        while not self._stopping:
            if not self._queue:
                self._wakeup.wait()
                continue
            due, _, job = self._queue[0]
            remaining = due - time.monotonic()
            if remaining <= 0:
                heapq.heappop(self._queue)
                return job
            self._wakeup.wait(remaining)
        return None
