"""Each gunicorn worker tunes Python's garbage collector once the app is loaded (ops.gc_tuning): the loaded app is
frozen out of the collector's reach and young collections come less often. Cycles are still collected."""

import gc
import os
import runpy
import subprocess
import sys
import weakref
from pathlib import Path

from ops.gc_tuning import REQUEST_THRESHOLDS, tune_for_requests

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_hook_of_gunicorn_conf_tunes_the_collector():
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    code = (
        "import gc, runpy, django; django.setup();"
        f"hooks = runpy.run_path({str(ROOT / 'gunicorn.conf.py')!r});"
        "before = gc.get_freeze_count(); hooks['post_worker_init'](None);"
        "print(gc.get_threshold(), before, gc.get_freeze_count())"
    )
    assert "post_worker_init" in hooks
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "referrals_site.settings.test"},
    )
    assert result.returncode == 0, result.stderr
    thresholds, before, frozen = result.stdout.strip().rsplit(" ", 2)
    assert thresholds == str(REQUEST_THRESHOLDS)
    # The URL patterns and the views they import were loaded and frozen with the rest of the app.
    assert int(before) == 0 and int(frozen) > 50_000


def test_cycles_made_after_tuning_are_still_collected():
    saved = gc.get_threshold()
    try:
        tune_for_requests()
        assert gc.get_threshold() == REQUEST_THRESHOLDS and gc.get_freeze_count() > 0

        class Node:
            pass

        node = Node()
        node.itself = node  # a cycle: only the collector frees it
        alive = weakref.ref(node)
        del node
        gc.collect()
        assert alive() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)
