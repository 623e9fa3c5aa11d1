"""The package: the pure core imports without Flask, and the wheel lists every package.

Building and installing the wheel itself is bin/check-wheel's job (slow: a fresh environment).
"""

import subprocess
import sys
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

CORE = ("review.rules", "review.meetingfile", "review.text", "review.sealdata", "review.trust", "review.setup_rules")


def test_the_core_imports_without_flask_sqlalchemy_or_werkzeug():
    script = (
        f"import sys\nimport {', '.join(CORE)}\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith(('flask', 'sqlalchemy', 'werkzeug'))))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


def test_the_factory_is_still_reached_from_the_package():
    from review import ERRORS, create_app
    from review.app import ERRORS as errors
    from review.app import create_app as factory

    assert create_app is factory and ERRORS is errors


def test_every_python_package_of_the_checkout_is_in_the_wheel():
    setuptools = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapped = {name: PROJECT / path for name, path in setuptools["package-dir"].items()}
    found = set()
    for top in ("review", "reports"):
        for init in (PROJECT / top).rglob("*.py"):
            found.add(".".join(init.parent.relative_to(PROJECT).parts))
    for name, path in mapped.items():  # the top-level migrations/, shipped as review.migrations
        found.update(".".join((name, *py.parent.relative_to(path).parts)) for py in path.rglob("*.py"))
    assert sorted(found) == sorted(setuptools["packages"])
