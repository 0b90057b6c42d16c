"""Imported first by the process `eventdw serve` forks each scheduled run from (schedule.warm_runs).

multiprocessing starts that process with `python -c` and, on Python 3.11, without the main script it was
asked to load, so its main module has no file. pyspark, which GX's import loads, takes such a process for
a doctest run and exits it. A file name on the main module tells it otherwise."""

import sys

main_module = sys.modules["__main__"]
if getattr(main_module, "__spec__", None) is None and not hasattr(main_module, "__file__"):
    main_module.__file__ = "<multiprocessing forkserver>"
