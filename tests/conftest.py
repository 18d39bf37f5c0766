"""Root of the suite: Flask-free (unit tests import nothing from tests/app).

matplotlib keeps its font list in a cache under MPLCONFIGDIR (~/.cache/matplotlib by
default) built once, with whatever fonts were installed then. A suite reading the
machine's cache passes or fails with the order fonts were installed in, so the suite
builds its own cache from the fonts installed now, in a directory of its own, before
anything imports matplotlib. Subprocesses inherit it through the environment.
"""

import atexit
import os
import shutil
import sys
import tempfile

if "matplotlib" not in sys.modules:  # a plugin importing it first would have read the old cache
    _MPL_DIR = tempfile.mkdtemp(prefix="pingyi-test-mpl-")
    os.environ["MPLCONFIGDIR"] = _MPL_DIR
    atexit.register(shutil.rmtree, _MPL_DIR, ignore_errors=True)
