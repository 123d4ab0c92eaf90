"""The quality gate's Great Expectations: imported in the background while dbt runs, its templates
compiled once, no config-variables file, a bounded history of results."""

import subprocess
import sys
from pathlib import Path


def test_warm_up_imports_great_expectations_in_the_background() -> None:
    # a fresh interpreter: in this one another test may have imported GX already
    code = (
        "import sys\n"
        "from orchestration.quality.suites import warm_up\n"
        "assert 'great_expectations' not in sys.modules\n"
        "thread = warm_up()\n"
        "assert thread.daemon and thread.is_alive()\n"
        "thread.join(timeout=300)\n"
        "assert 'great_expectations' in sys.modules\n"
        "import os; assert os.environ['GX_ANALYTICS_ENABLED'] == 'False'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


def test_data_docs_templates_are_compiled_once_per_process() -> None:
    """GX renders every Data Docs page with a new Jinja environment (B25): the second view must take
    the page template's bytecode from the cache, not compile it again."""
    import jinja2

    from orchestration.quality.suites import _import_gx, compiled_templates

    _import_gx()
    from great_expectations.render.view.view import DefaultJinjaPageView

    templates = compiled_templates()
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return original(self, source, name, *args, **kwargs)

    jinja2.Environment.compile = counting
    try:
        first = DefaultJinjaPageView()._get_template("page.j2")
        before = list(compiled)
        second = DefaultJinjaPageView()._get_template("page.j2")
    finally:
        jinja2.Environment.compile = original
    assert templates.install()  # GX still has the view the cache is given to
    assert templates.cache.code  # the page's bytecode is kept (compiled here, or earlier in this process)
    assert compiled == before  # the second environment compiled nothing
    assert isinstance(first, jinja2.Template)
    assert isinstance(second, jinja2.Template)
    assert first is not second  # two environments, one compilation


def test_gx_reads_no_config_variables_file_at_every_access(tmp_path) -> None:
    """GX parsed its comments-only config_variables.yml at every access to its configuration (B25)."""
    from orchestration.quality.suites import _context

    context = _context(str(tmp_path))
    from great_expectations.core import yaml_handler

    loads: list[str] = []
    original = yaml_handler.YAMLHandler.load

    def counting(self, *args, **kwargs):
        loads.append("load")
        return original(self, *args, **kwargs)

    yaml_handler.YAMLHandler.load = counting
    try:
        context.config_provider.get_values()
    finally:
        yaml_handler.YAMLHandler.load = original
    assert loads == []
    assert context.variables.config_variables_file_path is None
    assert not (tmp_path / "gx" / "uncommitted" / "config_variables.yml").exists()


def test_each_suite_keeps_a_bounded_history_of_results_and_pages(tmp_path, monkeypatch) -> None:
    """GX rebuilds the Data Docs index from every stored result at every validation, so an unbounded
    history made each run's checks slower than the last's (B33): the newest HISTORY stay, with their
    pages, and the index links those only."""
    import pandas as pd

    from orchestration.quality import suites as quality

    monkeypatch.setattr(quality, "HISTORY", 3)
    suite = next(s for s in quality.SUITES if s.name == "lis_finansiering_maaned")
    frame = pd.DataFrame({e["kwargs"]["column"]: [0] for e in suite.definition["expectations"]})
    root = tmp_path / "gx" / "uncommitted"

    def stored(base: Path) -> list[str]:
        return sorted(p.name for p in (base / suite.name).glob("*/*"))

    newest = []
    for _ in range(5):
        assert quality.validate(frame, suite, tmp_path).success
        newest.append(stored(root / "validations")[-1])
    assert len(set(newest)) == 5
    assert stored(root / "validations") == stored(root / "data_docs" / "local_site" / "validations") == newest[-3:]
    index = (root / "data_docs" / "local_site" / "index.html").read_text(encoding="utf-8")
    assert all(stamp in index for stamp in newest[-3:])
    assert not any(stamp in index for stamp in newest[:2])
