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


@pytest.mark.slow
def test_named_plugin_runs(installed_plugin, shared_cache):
    result = scan(FIXTURES / "malformed" / "bom.jsonl", cache_dir=str(shared_cache), plugins=["everyrecord"])
    assert [f.rule for f in result.findings] == ["PX900"]
    assert "ps_test_plugin" in sys.modules


def test_unknown_plugin_is_a_config_error():
    with pytest.raises(ConfigError, match="not installed"):
        load_plugins(["no-such-plugin"])


ONE_FILE_PLUGIN = textwrap.dedent('''
    """A whole plugin rule in one file: identity, metadata, options with descriptions, docs, check."""
    from scanner.rules.base import Option, Rule


    class WholeSet(Rule):
        code = "PX901"
        slug = "whole-set"
        summary = "The whole dataset as one structural bundle (test plugin)"
        family = "test-plugins"
        role = "structural"
        status = "preview"
        options = {"label": Option("every record", "What the message calls the records")}
        docs = """
    What it does
        Reports every record as one bundle.
    Why it matters
        It shows that a plugin is a first-class rule.
    Example
        Any dataset.
    False positives
        All of them.
    """

        def check(self, ctx):
            yield self.finding(severity="info", score=0.1, members=range(ctx.n),
                               message=f"{self.config['label']}: {ctx.n} records", evidence={})
''')


@pytest.fixture
def one_file_plugin(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "whole_set_rule.py").write_text(ONE_FILE_PLUGIN)
    dist = site / "whole_set_rule-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: whole-set-rule\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[poisonscan.rules]\nwhole-set = whole_set_rule:WholeSet\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "poisonscan.toml").write_text('plugins = ["whole-set"]\n\n[rules.PX901]\nlabel = "all of it"\n')
    return project, {"PYTHONPATH": str(site)}


@pytest.mark.slow
def test_a_plugin_written_in_one_file_is_a_first_class_rule(one_file_plugin, shared_cache):
    import json

    from conftest import run_cli

    project, env = one_file_plugin
    listed = run_cli("rules", cwd=project, env=env)
    assert listed.returncode == 0 and "PX901  whole-set" in listed.stdout and "[preview]" in listed.stdout
    described = json.loads(run_cli("rules", "--format", "json", cwd=project, env=env).stdout)
    assert {"code": "PX901", "role": "structural", "family": "test-plugins", "plugin": True}.items() <= \
        next(r for r in described if r["code"] == "PX901").items()
    explained = run_cli("rules", "--explain", "whole-set", cwd=project, env=env)
    assert "What it does" in explained.stdout and "label = 'every record': What the message calls" in explained.stdout
    docs = project / "docs"
    run_cli("rules", "--write-docs", docs, cwd=project, env=env)
    assert "| `label` | `'every record'` | What the message calls the records |" in (docs / "test-plugins.md").read_text()

    sarif = project / "out.sarif"
    proc = run_cli("scan", FIXTURES / "PC101" / "flag.jsonl", "--format", "sarif", "--output", sarif, "--fail-on",
                   "never", "--cache-dir", shared_cache, cwd=project, env=env)
    assert proc.returncode == 0, proc.stderr
    run = json.loads(sarif.read_text())["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "PX901")
    assert rule["properties"]["status"] == "preview"
    mine = next(r for r in run["results"] if r["ruleId"] == "PX901")
    trigger = next(r for r in run["results"] if r["ruleId"] == "PC101")
    assert mine["message"]["text"].startswith("all of it: ")          # the configured option reached the rule
    # structural: raised to the severity of the content finding on its records, as built-in structural rules are
    assert mine["properties"]["severity"] == trigger["properties"]["severity"] == "medium"
    assert "Raised from info" in mine["message"]["text"]


def test_a_rule_missing_part_of_its_contract_fails_when_defined():
    from scanner.rules.base import Option, Rule

    with pytest.raises(TypeError, match="docs lack the heading"):
        class NoDocs(Rule):
            code, slug, summary, docs = "PX902", "no-docs", "x", "What it does\n  x\n"
    with pytest.raises(TypeError, match="option 'n' must be an Option"):
        class BareOption(Rule):
            code, slug, summary = "PX903", "bare-option", "x"
            docs = "What it does\n x\nWhy it matters\n x\nExample\n x\nFalse positives\n x\n"
            options = {"n": 3}
    with pytest.raises(TypeError, match="role must be one of"):
        class BadRole(Rule):
            code, slug, summary = "PX904", "bad-role", "x"
            docs = "What it does\n x\nWhy it matters\n x\nExample\n x\nFalse positives\n x\n"
            role = "decorative"
    with pytest.raises(ConfigError, match="must be a int, got str"):
        from scanner.rules.shared_marker import SharedMarker

        SharedMarker(min_support="ten")
    assert Option(0.5, "x").check("PX", "o", 1) == 1.0         # an int passes for a float
