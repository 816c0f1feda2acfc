"""Command line: ``poisonscan scan | rules``. Owns stdout, stderr and the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .version import __version__
from .errors import PoisonscanError
from .findings import SEVERITIES
from .report import FORMATS, HUMAN
from .readers.schemas import SCHEMAS


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"poisonscan: error: {message}", err=True)
    sys.exit(code)


def _progress(mode: bool | None, quiet: bool):
    """Stage progress on stderr: live bars on a terminal; with --progress, one line per stage in logs too."""
    from .progress import StageProgress

    if quiet or mode is False or (mode is None and not sys.stderr.isatty()):
        return None
    return StageProgress(sys.stderr, live=sys.stderr.isatty())


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from .fileutil import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise PoisonscanError(f"{output}: cannot write report ({exc.strerror or exc})") from exc


class _Main(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PoisonscanError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            # the interrupt can land inside a constructor (a progress bar's): its half-built object's
            # destructor then fails while the process exits; the user asked to stop, one line says so
            sys.unraisablehook = lambda _unraisable: None
            _fail("interrupted", 130)
        except BrokenPipeError:  # output piped into a reader that stopped early (e.g. head)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - never show a traceback to the user
            if os.environ.get("POISONSCAN_DEBUG"):
                raise
            _fail(f"internal error: {exc.__class__.__name__}: {exc} (set POISONSCAN_DEBUG=1 for details)")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="poisonscan")
def main() -> None:
    """Find small, coherent record bundles that can corrupt a model through finetuning."""


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: findings with evidence and examples; concise: one line per finding; json; sarif; html.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("--fail-on", type=click.Choice(SEVERITIES + ("never",)), default=None,
              help="Exit 1 when a finding is at this severity or above [default: medium].")
@click.option("--show", type=click.Choice(SEVERITIES + ("fail-on",)), default=None,
              help="Lowest severity the text and concise reports list; the rest is a count "
                   "(fail-on: the --fail-on level, as the pre-commit hook does) [default: info].")
@click.option("--stats", is_flag=True, help="Print the time of each stage (read, embed, neighbours, rules) on stderr.")
@click.option("--progress/--no-progress", "progress_mode", default=None,
              help="Progress per stage on stderr [default: on a terminal only].")
@click.option("--include-suppressed", is_flag=True,
              help="SARIF: keep findings a baseline or per-path ignore hides, marked as suppressed.")
@click.option("--select", multiple=True, help="Rule codes, prefixes or slugs to run (comma-separated).")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or slugs to skip (comma-separated).")
@click.option("--schema", type=click.Choice(SCHEMAS), default=None, help="Force a schema instead of detecting it.")
@click.option("--text-field", default=None, help="Read this field as plain text (implies --schema text).")
@click.option("--split", default=None,
              help="Split of Hugging Face datasets to read (save_to_disk folders: all splits by default; "
                   "hf://datasets/ORG/NAME: train by default).")
@click.option("--strict", is_flag=True, default=None, help="Any unreadable record is fatal (exit 2).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default=None,
              help="local: this process; ray: Ray Data (a local Ray, or --ray-address) [default: local].")
@click.option("--ray-address", default=None, help="Address of an existing Ray cluster (implies --engine ray).")
@click.option("--ray-actors", type=click.IntRange(1, 10_000), default=None,
              help="Embedding actors, one model each [default: half the cluster's CPUs].")
@click.option("--embedder", type=click.Choice(["accurate", "fast", "cascade"]), default=None,
              help="accurate: the transformer on every record; fast: static vectors distilled from it; cascade: "
                   "static vectors for every record, the transformer for the records rules judge "
                   "[default: accurate].")
@click.option("--model", default=None,
              help="sentence-transformers model name or path [default: bundled all-MiniLM-L6-v2].")
@click.option("--precision", type=click.Choice(["auto", "fp32", "bf16"]), default=None,
              help="Transformer arithmetic [default: auto: fp32, or bf16 for the cascade's transformer on a CPU "
                   "with native bf16].")
@click.option("--batch-size", type=click.IntRange(1, 4096), default=None,
              help="Texts per transformer pass [default: 1, one pass per text: fastest and batch-independent].")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Embedding cache folder.")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Hide the findings accepted in this baseline (poisonscan baseline create).")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the cache folder (embeddings, features, static vectors, neighbour graphs).")
@click.option("--no-packs", is_flag=True, help="Turn the knowledge packs (renamed places, ...) off.")
@click.option("--no-classifier", is_flag=True, help="Do not let the trained bundle model adjust findings.")
@click.option("--redact", is_flag=True, help="Shorten quoted record text in reports (sensitive datasets).")
@click.option("--judge", "judge_url", default=None, metavar="URL",
              help="An OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp, a hosted API) that judges findings "
                   "(docs/judge.md). Off by default; nothing is sent unless this or [tool.poisonscan.judge] url is set.")
@click.option("--judge-model", default=None, help="The model name the judge endpoint serves.")
@click.option("--judge-mode", type=click.Choice(["raise", "explain"]), default=None,
              help="raise: a confident, concrete label raises a finding one level (never lowers); explain: only "
                   "annotate [default: raise].")
@click.option("--judge-log", type=click.Path(dir_okay=False), default=None,
              help="Append every exact request body sent to the judge to this JSONL file.")
@click.option("--allow-download", is_flag=True,
              help="Let --model fetch a model, and hf://datasets/ORG/NAME stream a dataset, from the Hugging Face hub.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Read settings from this TOML file instead of the nearest pyproject.toml/poisonscan.toml.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings or notes on stderr.")
def scan(paths, fmt, output, fail_on, show, stats, progress_mode, include_suppressed, select, ignore, schema, text_field, split, strict, engine, ray_address, ray_actors,
         embedder, model, precision, batch_size, cache_dir, baseline, no_cache, no_packs, no_classifier, redact,
         judge_url, judge_model, judge_mode, judge_log, allow_download, config_path, quiet):
    """Scan JSONL, JSON, parquet, Arrow, CSV/TSV files, Hugging Face datasets (save_to_disk folders; hub ids with
    --allow-download), directories or globs."""
    from .config import find_config, load_config
    from .engine import run
    from .options import ScanOptions
    from .report import render

    settings = load_config(Path(config_path) if config_path else find_config())
    overrides = dict(fail_on=fail_on, show=show, schema=schema, text_field=text_field, split=split, strict=strict, engine=engine,
                     ray_address=ray_address, ray_actors=ray_actors, embedder=embedder,
                     model=model, precision=precision, batch_size=batch_size, cache_dir=cache_dir,
                     baseline=baseline)
    settings.update({k: v for k, v in overrides.items() if v is not None})
    if ray_address and not engine:
        settings["engine"] = "ray"
    if select:
        settings["select"] = _split(select)
    if ignore:
        settings["ignore"] = _split(ignore)
    if no_packs:
        settings["packs"] = False
    if no_classifier:
        settings["classifier"] = False
    if redact:
        settings["redact"] = True
    judge = dict(settings.get("judge", {}))
    judge.update({k: v for k, v in dict(url=judge_url, model=judge_model, mode=judge_mode, log=judge_log).items()
                  if v is not None})
    if judge:
        settings["judge"] = judge
    opts = ScanOptions(**settings, no_cache=no_cache, allow_download=allow_download, projection=fmt == "html",
                       keep_suppressed=include_suppressed)
    if include_suppressed and fmt != "sarif":
        raise click.UsageError("--include-suppressed applies to --format sarif")
    show_level = opts.fail_on if opts.show == "fail-on" else opts.show
    if show_level == "never":
        show_level = "critical"
    progress = _progress(progress_mode, quiet)
    try:
        result = run(list(paths), opts, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    _write(render(result, fmt, opts.fail_on, show_level, include_suppressed), output)
    from .report.terminal import stats_table, summary_line

    if opts.baseline or opts.per_path_ignores:
        click.echo(f"poisonscan: {result.suppressed} finding(s) suppressed "
                   f"({'baseline ' + opts.baseline if opts.baseline else 'per-path ignores'}"
                   f"{' and per-path ignores' if opts.baseline and opts.per_path_ignores else ''})", err=True)
        stale = result.stale_baseline
        if stale and opts.baseline:
            listed = ", ".join(f"{e['fingerprint'][:16]} ({e.get('rule')}, {e.get('records')} records)" for e in stale[:5])
            click.echo(f"poisonscan: {len(stale)} baseline entr{'y' if len(stale) == 1 else 'ies'} matched no finding of "
                       f"this scan: {listed}{f' +{len(stale) - 5} more' if len(stale) > 5 else ''}; if the data is "
                       f"all here, remove them with: poisonscan baseline prune {opts.baseline} DATA", err=True)
    if not quiet:
        for warning in result.warnings:
            click.echo(f"poisonscan: warning: {warning}", err=True)
        if output or fmt not in HUMAN:
            click.echo(summary_line(result, opts.fail_on, output), err=True)
    if stats:
        click.echo(stats_table(result), err=True)
    sys.exit(result.exit_code(opts.fail_on))


@main.command("rules")
@click.option("--explain", "code", default=None, help="Print the docs of one rule (code or slug).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--write-docs", "docs_dir", type=click.Path(file_okay=False), default=None,
              help="Write the user guide's rule pages (one per family) into this folder.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Read this TOML file instead of the nearest pyproject.toml/poisonscan.toml (its plugins are listed).")
def rules_cmd(code, fmt, docs_dir, config_path):
    """List the rules (built-in and configured plugins), or explain one."""
    import json

    from .config import find_config, load_config
    from .rules.registry import all_rules, find_rule

    settings = load_config(Path(config_path) if config_path else find_config())
    rules = all_rules(settings.get("plugins", []))
    if docs_dir:
        from .rules.docs import write_pages

        for path in write_pages(rules, Path(docs_dir)):
            click.echo(f"poisonscan: wrote {path}", err=True)
        return
    if code:
        rule = find_rule(rules, code)
        if fmt == "json":
            click.echo(json.dumps({**_describe(rule), "docs": rule.doc_sections(),
                                   "options": {k: {"default": o.default, "help": o.help}
                                               for k, o in rule.options.items()}}, indent=2))
            return
        status = "" if rule.status == "stable" else f" ({rule.status})"
        click.echo(f"{rule.code} {rule.slug}{status}\n{rule.summary}\n")
        for title, text in rule.doc_sections().items():
            click.echo(f"{title}\n{'-' * len(title)}\n{text}\n")
        if rule.options:
            click.echo(f"Options ([tool.poisonscan.rules.{rule.code}])")
            for k, o in rule.options.items():
                click.echo(f"  {k} = {o.default!r}: {o.help}")
        return
    if fmt == "json":
        click.echo(json.dumps([_describe(r) for r in rules], indent=2))
        return
    for r in rules:
        status = "" if r.status == "stable" else f" [{r.status}]"
        click.echo(f"{r.code}  {r.slug:<18} {r.summary}{status}")


def _describe(rule) -> dict:
    return {"code": rule.code, "slug": rule.slug, "summary": rule.summary, "family": rule.family,
            "role": rule.role, "key": rule.key, "status": rule.status, "plugin": rule.__module__.split(".")[0] != "scanner"}


@main.command("config")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Read this TOML file instead of the nearest pyproject.toml/poisonscan.toml.")
def config_cmd(config_path):
    """Show the effective configuration (defaults, then the config file) as TOML-like lines."""
    import dataclasses
    import json

    from .config import find_config, load_config
    from .options import ScanOptions

    source = Path(config_path) if config_path else find_config()
    opts = ScanOptions(**load_config(source))
    click.echo(f"# source: {source or 'defaults (no pyproject.toml [tool.poisonscan] or poisonscan.toml found)'}")
    hidden = {"collect_features", "max_skips_listed", "projection"}
    for f in dataclasses.fields(opts):
        if f.name not in hidden:
            click.echo(f"{f.name.replace('_', '-')} = {json.dumps(getattr(opts, f.name), ensure_ascii=False)}")


@main.group("baseline")
def baseline_group():
    """Accept current findings so later scans report only new ones."""


@baseline_group.command("create")
@click.argument("report", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", default=".poisonscan-baseline.json", show_default=True,
              type=click.Path(dir_okay=False), help="Where to write the baseline.")
@click.option("--reason", default=None, help="Why these findings are accepted (stored on every entry).")
@click.option("--reason-for", "reason_for", multiple=True, metavar="KEY=TEXT",
              help="A reason for the entries of one rule code or fingerprint prefix (repeatable).")
def baseline_create(report, output, reason, reason_for):
    """Record every finding of a JSON REPORT (poisonscan scan DATA --format json) as accepted."""
    from .baseline import create

    per_entry = {}
    for item in reason_for:
        key, sep, text = item.partition("=")
        if not sep or not key.strip() or not text.strip():
            raise click.BadParameter(f"'{item}' is not KEY=TEXT", param_hint="--reason-for")
        per_entry[key.strip()] = text.strip()
    data = create(report, output, reason, per_entry)
    without = sum(1 for e in data["findings"] if not e.get("reason"))
    click.echo(f"poisonscan: baseline {output}: {len(data['findings'])} accepted finding(s)"
               f"{f', {without} without a reason' if without else ''}; "
               f"use it with: poisonscan scan DATA --baseline {output}", err=True)


@baseline_group.command("list")
@click.argument("baseline", type=click.Path(dir_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def baseline_list(baseline, fmt):
    """Show the accepted findings of a BASELINE with their reasons."""
    import json

    from .baseline import entries
    from .report.escape import inert

    items = list(entries(baseline).values())
    if fmt == "json":
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    for e in items:
        click.echo(f"{e['fingerprint'][:16]}  {e.get('rule') or '?':<6} {e.get('severity') or '?':<8} "
                   f"{e.get('records', '?'):>5} records  reason: {inert(e.get('reason') or '(none)')}")
        click.echo(f"    {inert(str(e.get('message', '')))[:200]}")
    click.echo(f"{len(items)} accepted finding(s), {sum(1 for e in items if not e.get('reason'))} without a reason",
               err=True)


@baseline_group.command("prune")
@click.argument("baseline", type=click.Path(dir_okay=False, exists=True))
@click.argument("paths", nargs=-1)
@click.option("--report", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Use this JSON report (scan DATA --format json [--baseline BASELINE]) instead of scanning PATHS.")
@click.option("--embedder", type=click.Choice(["accurate", "fast", "cascade"]), default=None)
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Embedding cache folder.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True), default=None)
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def baseline_prune(baseline, paths, report, embedder, cache_dir, config_path, dry_run):
    """Remove the BASELINE entries that no finding matches any more: scan PATHS (with the settings of the
    config file) or read --report."""
    from .baseline import live_fingerprints, prune, read_report

    if bool(paths) == bool(report):
        raise click.UsageError("give the data to scan (PATHS) or --report REPORT.json, not both")
    if report:
        live = live_fingerprints(read_report(report))
    else:
        from .config import find_config, load_config
        from .engine import run
        from .options import ScanOptions

        settings = load_config(Path(config_path) if config_path else find_config())
        settings.update({k: v for k, v in dict(embedder=embedder, cache_dir=cache_dir).items() if v is not None})
        settings.update(baseline=None, per_path_ignores={})  # every finding, hidden or not, keeps its entry
        live = {f.fingerprint for f in run(list(paths), ScanOptions(**settings)).findings}
    stale = prune(baseline, live, dry_run)
    for e in stale:
        click.echo(f"{'would remove' if dry_run else 'removed'} {e['fingerprint'][:16]} {e.get('rule')} "
                   f"({e.get('records')} records)", err=True)
    click.echo(f"poisonscan: baseline {baseline}: {len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'} "
               f"{'found' if dry_run else 'removed'}", err=True)


@main.command("filter")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("--findings", "report", required=True, type=click.Path(dir_okay=False, exists=True),
              help="A report from: poisonscan scan INPUT --format json")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default="medium", show_default=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
def filter_cmd(input_path, report, min_severity, out_dir):
    """Split INPUT into clean and quarantined records (plus a manifest), losing nothing."""
    from .quarantine import filter_dataset

    m = filter_dataset(input_path, report, min_severity, out_dir)
    click.echo(f"poisonscan: {m['input']['records']} records: {m['clean']['records']} clean -> "
               f"{m['clean']['path']}, {m['quarantined']['records']} quarantined -> {m['quarantined']['path']}")


@main.command("train")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Where to write the model JSON.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Embedding cache folder.")
@click.option("--benign", "benign_dir", type=click.Path(file_okay=False, exists=True), default=None,
              help="Benign corpus folder for base records [default: $POISONSCAN_BENIGN_DIR, else ../shared/corpora/benign, "
                   "else a small bundled base].")
def train_cmd(output, seed, cache_dir, benign_dir):
    """Rebuild the bundle classifier from generated training cells (deterministic for a seed)."""
    from .training import dumps, train

    model = train(seed=seed, cache_dir=cache_dir, benign_dir=Path(benign_dir) if benign_dir else None,
                  progress=lambda s: click.echo(f"poisonscan: train: {s}", err=True))
    _write(dumps(model), output)
    aucs = [v["auc"] for v in model["leave_one_axis_out"].values() if "auc" in v]
    worst = min(model["leave_one_axis_out"].items(), key=lambda kv: kv[1].get("auc", 2.0))
    click.echo(f"poisonscan: wrote {output} ({model['training']['rows']} rows); leave-one-axis-out AUC over "
               f"{len(aucs)} poisoned axis values: min {min(aucs, default=0):.3f} ({worst[0]}), "
               f"mean {sum(aucs) / max(1, len(aucs)):.3f}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
