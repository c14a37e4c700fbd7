"""A project's own virtual environment, with a package installed only there."""

import subprocess
import sys
from pathlib import Path


def project_venv(folder: Path, package: str, source: str) -> Path:
    """``folder/.venv`` (no pip, nothing of this Python's packages) holding ``package``;
    returns its python."""
    venv = folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = venv / "lib" / version / "site-packages" / package
    site.mkdir(parents=True)
    (site / "__init__.py").write_text(source)
    return venv / "bin" / "python"
