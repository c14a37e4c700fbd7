import os
import sys
import tempfile
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))


# Handlers run in the Python the tests run in, unless a test chooses otherwise: the
# machine's other Pythons (a python3.12 on PATH) must not decide what the suite sees.
os.environ["APIGW_DOCTOR_PYTHON"] = sys.executable

# SAM translations are kept in a folder of this run's own, not the user's cache.
os.environ["APIGW_DOCTOR_CACHE"] = tempfile.mkdtemp(prefix="apigw-doctor-cache-")

# Property tests draw the same examples on every run (many of them: each test sets its
# own count), so a run of CI is repeatable; a new example that fails is found by
# random examples locally (HYPOTHESIS_PROFILE=explore), then kept as a fixed case.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
