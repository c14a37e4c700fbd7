import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


# Handlers run in the Python the tests run in, unless a test chooses otherwise: the
# machine's other Pythons (a python3.12 on PATH) must not decide what the suite sees.
os.environ["APIGW_DOCTOR_PYTHON"] = sys.executable
