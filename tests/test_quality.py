"""The quality gate's Great Expectations import is started in the background while dbt runs."""

import subprocess
import sys


def test_warm_up_imports_great_expectations_in_the_background() -> None:
    # a fresh interpreter: in this one another test may have imported GX already
    code = (
        "import sys\n"
        "from orchestration.quality import warm_up\n"
        "assert 'great_expectations' not in sys.modules\n"
        "thread = warm_up()\n"
        "assert thread.daemon and thread.is_alive()\n"
        "thread.join(timeout=300)\n"
        "assert 'great_expectations' in sys.modules\n"
        "import os; assert os.environ['GX_ANALYTICS_ENABLED'] == 'False'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
