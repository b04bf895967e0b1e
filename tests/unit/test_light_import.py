import subprocess
import sys


def test_importing_the_package_does_not_import_tensorflow():
    code = (
        "import sys, dlwp_widgets, dlwp_widgets.config, dlwp_widgets.book, dlwp_widgets.book.catalog, "
        "dlwp_widgets.datasets, dlwp_widgets.datasets.core\n"
        "heavy = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"imported at package import time: {result.stdout}"
