"""Execute report notebooks on a few long-lived kernels and render them with nbconvert.

Starting a kernel and importing pandas, openpyxl and batchkit costs more
than most reports take to compute, so `run_jobs` starts `jobs` kernels once
and feeds them the pack's notebooks one after another (the namespace is
reset in between). Parameters are injected exactly as papermill does
(`papermill.parameterize`), so the same notebooks run unchanged under the
papermill CLI or Airflow's PapermillOperator.

The kernel is a kernelspec of our own that starts this very interpreter with
batchkit importable, independent of whatever `python3` kernel a user has.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .jobs import ReportJob, ReportStatus

KERNEL_NAME = "batchkit"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = PACKAGE_ROOT / "templates"
CELL_TIMEOUT = 900  # seconds; a report cell that takes longer is a failure, not a hang
# Every object alive once a kernel has imported its libraries, and again after each notebook, is moved out of the
# cyclic garbage collector's reach. A report allocates hundreds of thousands of small objects (HTML and
# openpyxl cells); each time they trigger a full collection, the collector otherwise walks everything loaded before
# (pandas, IPython, batchkit's caches): 2.2-2.5 s of CPU per kernel over the 1x pack, 0.7 s frozen
# (measured with gc.callbacks). Objects are still freed by reference counting. Only the kernels do this, since they
# are ours: a user's own process (JupyterLab) keeps its collector as it is.
FREEZE = "import gc; gc.collect(); gc.freeze(); del gc"
# what every report needs, loaded while the kernel waits for its first notebook: the libraries, and the fonts
# (a first chart, to warm the chart modules and find the CJK font)
PRELOAD = ("import pandas, pyarrow.parquet, batchkit.report.page, batchkit.report.sections\n"
           "from batchkit.report import charts as _c, i18n as _i\n"
           "_i.Translator('en')('report.title')\n"
           "_c.setup_fonts('zh-CN'); _c.svg(_c.bars(pandas.Series([1.0, 2.0], index=['a', '批次']), title='t', "
           "xlabel='x'))\n"
           "del _c, _i\n" + FREEZE)
RESET = "%reset -f\n" + FREEZE  # the reports draw no pyplot figures: nothing else to close


def write_kernelspec(root: Path) -> Path:
    """A kernelspec directory for this interpreter under `root/kernels`."""
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")])),
           "PYDEVD_DISABLE_FILE_VALIDATION": "1",
           "BATCHKIT_KERNEL_ROOT": str(root)}  # lets a test find this run's kernels
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR",
                 # no input history: a report kernel is never used interactively, and IPython would otherwise
                 # write every cell into a SQLite file on a thread of its own (about 1 CPU-s per kernel over the pack)
                 "--HistoryManager.enabled=False"],
        "display_name": "batchkit (Python)",
        "language": "python",
        "env": env,
    }, indent=1))
    return root


@functools.lru_cache(maxsize=1)
def _exporter() -> Any:
    """One HTML exporter for the whole pack: its templates are compiled once (0.35 s each time otherwise)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Exporter(HTMLExporter):
        """HTMLExporter without its last pass, which parses the whole page again with BeautifulSoup to add
        alt texts and tabindex attributes (0.5 s a report, the pack's largest serial step): every image of
        ours has its alt text, and the page has no input cells to focus."""

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            highlight = Highlight2HTML(pygments_lexer="python", parent=self)  # type: ignore[no-untyped-call]
            self.register_filter("highlight_code", highlight)  # type: ignore[no-untyped-call]
            resources = self._init_resources(resources)  # type: ignore[no-untyped-call]
            widgets = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,  # type: ignore[no-untyped-call]
                                            resources=resources)
            self.register_filter("filter_data_type", widgets)  # type: ignore[no-untyped-call]
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    # markdown cells speak to whoever opens the notebook in JupyterLab (in English); the page's own words come
    # from the translation table through the cells' outputs, so a Chinese page has no English paragraph
    options = {"template_name": "batchkit", "extra_template_basedirs": [str(TEMPLATES)], "exclude_input": True,
               "exclude_input_prompt": True, "exclude_output_prompt": True, "exclude_markdown": True,
               # the notebook is validated once, after the preprocessors, not after each of them (nbformat's
               # jsonschema pass took 1.6 s of the `run` process over the 1x pack's 22 pages)
               "optimistic_validation": True}
    return Exporter(**options)  # type: ignore[no-untyped-call]


_RENDER_LOCK = threading.Lock()  # one exporter, used by one thread at a time


def render_html(nb: Any, path: Path) -> None:
    """Self-contained HTML: code hidden, charts embedded, our template (no network needed)."""
    with _RENDER_LOCK:
        body, _ = _exporter().from_notebook_node(nb)
    path.write_text(body, encoding="utf-8")


class _Kernel:
    """One kernel kept alive across notebooks; restarted if a notebook kills it."""

    def __init__(self, kernel_root: Path, cwd: str) -> None:
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager

        ksm = KernelSpecManager(kernel_dirs=[str(kernel_root / "kernels")])
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)
        self.cwd = cwd
        self.log = open(kernel_root / f"kernel-{id(self)}.log", "ab")  # noqa: SIM115 (closed in stop)
        self.kc: Any = None
        self._start: asyncio.Task[None] | None = None

    def begin(self) -> None:
        """Start the kernel in the background (in the pool's event loop); `ready` waits for it."""
        self._start = asyncio.ensure_future(self.start())

    async def ready(self) -> None:
        if self._start is not None:
            await asyncio.shield(self._start)

    async def _connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=120)
        self.kc.allow_stdin = False
        await self.kc.execute_interactive(PRELOAD, timeout=120)

    async def start(self) -> None:
        await self.km.start_kernel(cwd=self.cwd, stdout=self.log, stderr=self.log)
        await self._connect()

    async def reset(self) -> None:
        if not await self.km.is_alive():
            self.kc.stop_channels()
            await self.km.restart_kernel(now=True)
            await self._connect()
        await self.kc.execute_interactive(RESET, timeout=60)

    async def stop(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            await self.km.shutdown_kernel(now=True)
        finally:
            self.log.close()


def _warm_parent() -> None:
    """What the parent needs for the first report, loaded while the period is costed (about 1 s that otherwise
    holds up the event loop, so both kernels, at the first notebook): the notebook client, papermill's
    parameterizer and the HTML exporter with its compiled templates."""
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401
    import papermill.iorw
    import papermill.parameterize  # noqa: F401

    _exporter()


def _finish(job: ReportJob, status: ReportStatus, nb: Any) -> None:
    """Keep the executed notebook and render its page (in a thread, while the kernel runs the next notebook)."""
    import nbformat

    nbformat.write(nb, str(job.executed))  # type: ignore[no-untyped-call]
    if status.ok and "html" in job.formats:
        nb.metadata["batchkit"] = job.meta.as_metadata()
        nb.metadata["title"] = job.meta.page_title or job.meta.title
        render_html(nb, job.html)


async def _execute(job: ReportJob, kernel: _Kernel) -> tuple[ReportStatus, Any]:
    """Run the job's notebook on `kernel`; the notebook is returned executed, to be kept and rendered."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    status = ReportStatus(job.name)
    nb = load_notebook_node(str(job.notebook))  # papermill's reader: normalizes cell tags
    nb = parameterize_notebook(nb, job.parameters, kernel_name="python3", language="python")
    client = NotebookClient(nb, km=kernel.km, timeout=CELL_TIMEOUT, allow_errors=False,
                            resources={"metadata": {"path": str(job.cwd)}})
    client.kc = kernel.kc
    try:
        await client.async_execute()
    except CellExecutionError as exc:
        status.ok, status.error = False, f"{exc.ename}: {exc.evalue}".strip()
    except (CellTimeoutError, DeadKernelError) as exc:
        status.ok, status.error = False, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return status, nb


async def _run_all(jobs: list[ReportJob], kernels: list[_Kernel],
                   progress: Callable[[str, int, int], None] | None) -> dict[str, ReportStatus]:
    """Feed the jobs to the kernels, each kernel taking the next job as soon as its notebook has run: keeping
    and rendering a notebook (the parent's work) overlaps the kernel's next notebook."""
    queue = deque(jobs)
    done: dict[str, ReportStatus] = {}
    finishing: set[asyncio.Task[None]] = set()

    async def finish(job: ReportJob, status: ReportStatus, nb: Any, start: float) -> None:
        await asyncio.to_thread(_finish, job, status, nb)
        status.seconds = round(time.time() - start, 2)
        done[job.name] = status
        if progress:
            progress(job.name, len(done), len(jobs))

    async def worker(kernel: _Kernel) -> None:
        await kernel.ready()
        while queue:
            job = queue.popleft()
            start = time.time()
            status, nb = await _execute(job, kernel)
            task = asyncio.create_task(finish(job, status, nb, start))
            finishing.add(task)
            await kernel.reset()

    try:
        await asyncio.gather(*(worker(k) for k in kernels))
        await asyncio.gather(*finishing)
    except BaseException:
        for task in finishing:
            task.cancel()
        raise
    return done


class KernelPool:
    """`workers` kernels started in a thread of their own as soon as the pool is entered, so that their start
    (a process, pandas and batchkit imported: 1-2 s) overlaps whatever the caller does
    next, costing the period for instance; `run` then feeds them notebooks.

    The kernels' event loop runs in that thread: signals stay with our handlers in the main thread (nbclient
    would otherwise swap in its own and restore the default), and it works when the caller already runs an
    event loop (JupyterLab, Playwright's sync API). On an interrupt the running jobs are cancelled and every
    kernel is shut down before the exception goes on.
    """

    def __init__(self, workers: int, kernel_root: Path) -> None:
        self.workers = max(1, workers)
        self.root = kernel_root
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="batchkit-kernels", daemon=True)
        self.kernels: list[_Kernel] = []
        self._started: Any = None
        self._stopped = False

    def __enter__(self) -> KernelPool:
        write_kernelspec(self.root)
        self.thread.start()
        self.kernels = [_Kernel(self.root, str(self.root)) for _ in range(self.workers)]

        async def start_all() -> None:
            for k in self.kernels:
                k.begin()
            await asyncio.to_thread(_warm_parent)
            await asyncio.gather(*(k.ready() for k in self.kernels))

        self._started = asyncio.run_coroutine_threadsafe(start_all(), self.loop)
        return self

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def _wait(self, future: Any) -> Any:
        """The future's result, waited for in short steps so that Ctrl-C and SIGTERM reach the main thread."""
        try:
            while True:
                try:
                    return future.result(timeout=0.2)
                except TimeoutError:
                    continue
        except BaseException:
            future.cancel()
            raise

    def run(self, jobs: list[ReportJob], progress: Callable[[str, int, int], None] | None = None
            ) -> dict[str, ReportStatus]:
        """Execute every job; a failing notebook is reported in its status, never raised."""
        if not jobs:
            return {}
        kernels = self.kernels[: len(jobs)]  # each starts on its first notebook as soon as it is ready
        try:
            result: dict[str, ReportStatus] = self._wait(
                asyncio.run_coroutine_threadsafe(_run_all(jobs, kernels, progress), self.loop))
        except BaseException:
            # stopped before the caller unwinds: a kernel still running a notebook would otherwise write its
            # workbook into the pack's temporary folder after that folder was removed, and so leave it behind
            self._stop_kernels()
            raise
        return result

    def _stop_kernels(self) -> None:
        """Cancel whatever still runs in the kernels' loop and shut every kernel down (once)."""
        if self._stopped or not self.thread.is_alive():
            return
        self._stopped = True

        async def stop_all() -> None:
            # after an interrupt the notebooks' tasks may still be waiting on a kernel's channels: they are
            # cancelled and awaited first, so none fails later on a closed socket with asyncio's "Task exception
            # was never retrieved" printed at exit under the one-line message
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            # a page being kept or rendered (`_finish`, in the loop's default executor) cannot be cancelled: it
            # is waited for, so that nothing writes into the pack's temporary folder while the caller removes it
            await self.loop.shutdown_default_executor()
            await asyncio.gather(*(k.stop() for k in self.kernels), return_exceptions=True)

        # a kernel still starting is let finish, then stopped: no orphan process (one that failed to start is
        # stopped all the same)
        with contextlib.suppress(BaseException):
            self._started.result(timeout=120)
        asyncio.run_coroutine_threadsafe(stop_all(), self.loop).result(timeout=60)

    def __exit__(self, *exc: object) -> None:
        try:
            self._stop_kernels()
            if self.thread.is_alive():
                asyncio.run_coroutine_threadsafe(self.loop.shutdown_asyncgens(), self.loop).result(timeout=60)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(60)
            self.loop.close()


def run_jobs(jobs: list[ReportJob], workers: int, kernel_root: Path,
             progress: Callable[[str, int, int], None] | None = None) -> dict[str, ReportStatus]:
    """Execute every job on `workers` kernels; a failing notebook is reported in its status, never raised."""
    if not jobs:
        return {}
    with KernelPool(min(workers, len(jobs)), kernel_root) as pool:
        return pool.run(jobs, progress)
