"""Ship the chapter notebooks inside the package (wheel and sdist).

``chapters/`` stays the only copy in the repository; at build time its notebook
pairs (``chNN_slug/N.M-*.py`` and ``.ipynb``) are copied into the built package
as ``dlwp_widgets/book/shipped/chapters/``, where ``dlwp book get`` and the
root lookup (``dlwp_widgets.book.notebooks.find_root``) find them. An editable
install needs no copy: it finds the checkout's ``chapters/``. MANIFEST.in puts
``chapters/`` into the sdist so that a wheel built from it ships them too.
Everything else about the package is in pyproject.toml.
"""

import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
NOTEBOOK = re.compile(r"^\d+\.\d+-[a-z0-9-]+\.(py|ipynb)$")


class build_py_with_notebooks(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = HERE / "chapters"
        if not source.is_dir():
            raise SystemExit("chapters/ is missing: build the package from the repository or its sdist")
        target = Path(self.build_lib) / "dlwp_widgets" / "book" / "shipped" / "chapters"
        if target.exists():
            shutil.rmtree(target)
        copied = 0
        for path in sorted(source.glob("ch*/*")):
            if path.is_file() and NOTEBOOK.match(path.name):
                destination = target / path.parent.name / path.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
                copied += 1
        if not copied:
            raise SystemExit("chapters/ holds no notebooks to ship")


setup(cmdclass={"build_py": build_py_with_notebooks})
