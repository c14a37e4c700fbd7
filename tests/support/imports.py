"""What importing a module pulls in beyond the standard library, in a fresh
interpreter (the guard and the rules core must pull in nothing)."""

import subprocess
import sys

CODE = """
import sys
before = set(sys.modules)
import {module}
new = set(sys.modules) - before
print(",".join(sorted(m for m in new
      if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "apigw_doctor")))
"""


def third_party_imports(module: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", CODE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()
