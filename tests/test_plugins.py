"""Third-party rules load through the entry-point group, and only when the config names them."""

import sys
import textwrap

import pytest

from conftest import FIXTURES
from scanner import scan
from scanner.errors import ConfigError
from scanner.rules.registry import all_rules, load_plugins

PLUGIN = textwrap.dedent('''
    from scanner.rules.base import Rule
    LOADED = []

    class EveryRecord(Rule):
        code = "PX900"
        slug = "every-record"
        summary = "test plugin"
        docs = "What it does\\n  x\\nWhy it matters\\n  x\\nExample\\n  x\\nFalse positives\\n  x\\n"

        def check(self, ctx):
            yield self.finding(severity="info", score=0.1, members=range(ctx.n), message="all", evidence={})

    LOADED.append(True)
''')


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    (tmp_path / "ps_test_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "ps_test_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ps-test-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[poisonscan.rules]\neveryrecord = ps_test_plugin:EveryRecord\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("ps_test_plugin", None)


def test_plugins_are_not_loaded_unless_named(installed_plugin):
    assert "PX900" not in [r.code for r in all_rules()]
    assert "ps_test_plugin" not in sys.modules


def test_named_plugin_runs(installed_plugin, shared_cache):
    result = scan(FIXTURES / "malformed" / "bom.jsonl", cache_dir=str(shared_cache), plugins=["everyrecord"])
    assert [f.rule for f in result.findings] == ["PX900"]
    assert "ps_test_plugin" in sys.modules


def test_unknown_plugin_is_a_config_error():
    with pytest.raises(ConfigError, match="not installed"):
        load_plugins(["no-such-plugin"])
