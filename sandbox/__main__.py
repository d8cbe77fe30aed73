import sys
from pathlib import Path

# `python -m sandbox` works from a checkout without PYTHONPATH: the package lives in plugins/.
_plugins = str(Path(__file__).resolve().parent.parent / "plugins")
if _plugins not in sys.path:
    sys.path.insert(0, _plugins)

from sandbox.cli import main  # noqa: E402

main()
