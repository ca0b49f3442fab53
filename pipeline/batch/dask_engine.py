"""`--engine dask`: the same shard function on a Dask distributed cluster.

A WorkerPlugin loads the pipeline once per Dask worker; tasks are idempotent (a shard whose `.done`
marker exists is not redone), so Dask's retries after a lost worker never duplicate records. The run
directory must be reachable by every worker under the same path (a shared filesystem).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..errors import NewsclaimsError
from ..ingest.readers import ReadItem
from .worker import init_worker, process_shard


def _plugin_class() -> type:
    from distributed.diagnostics.plugin import WorkerPlugin

    class PipelinePlugin(WorkerPlugin):  # type: ignore[misc]
        """Builds the newsclaims pipeline once when a worker starts."""

        name = "newsclaims-pipeline"

        def __init__(self, patterns_dir: str) -> None:
            self.patterns_dir = patterns_dir

        def setup(self, worker: Any) -> None:
            init_worker(self.patterns_dir)

    return PipelinePlugin


def run_dask(
    shards: Iterator[tuple[str, list[ReadItem]]],
    shard_dir: str,
    pack_dir: str,
    options: Any,
    account: Callable[[dict[str, Any], str], None],
) -> None:
    """Submit every shard to the cluster (at most 4 per worker in flight) and account results as they finish."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as err:
        raise NewsclaimsError("E008") from err
    cluster = None
    if options.scheduler:
        client = Client(options.scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, options.workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        client.register_plugin(_plugin_class()(pack_dir))
        limit = 4 * max(1, len(client.scheduler_info()["workers"]))
        running = as_completed()
        in_flight = 0
        for shard_id, items in shards:
            fut = client.submit(
                process_shard,
                shard_dir,
                shard_id,
                items,
                pack_dir,
                options.doc_timeout,
                key=f"newsclaims-shard-{shard_id}",
                retries=2,
                pure=False,
            )
            running.add(fut)
            in_flight += 1
            while in_flight >= limit:
                done = next(running)
                account(done.result(), f"shard {done.key}")
                in_flight -= 1
        for done in running:
            account(done.result(), f"shard {done.key}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
