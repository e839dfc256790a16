"""The stream's message flow run in one process (partitions as dicts, messages as calls), for the routed tests."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

from streams.dedup import DedupConfig, Deduplicator, ParagraphVerdict
from streams.dedup.deduplicator import ArticlePlan, Decision, decide
from streams.dedup.routing import (
    Answer,
    Fetch,
    History,
    Probe,
    answer_fetch,
    answer_probe,
    fetch_targets,
    fetches_for,
    local_targets,
    occurrence_token,
    probes_for,
    view_from,
)


class Routed:
    """The stream's message flow run in one process: `partitions` owner stores, messages as round trips."""

    def __init__(self, partitions: int = 4, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        self.dedup = Deduplicator(config=self.config)  # only for its patterns and plan
        self.partitions = partitions
        self.stores: list[dict[bytes, bytes]] = [{} for _ in range(partitions)]
        self.messages = 0

    def process(self, article_id: str, paragraphs: list[str], now: float, token: int | None = None
                ) -> list[ParagraphVerdict]:
        return self.process_article(article_id, paragraphs, now, token).verdicts

    def process_article(self, article_id: str, paragraphs: Sequence[str], now: float, token: int | None = None,
                        *, published: float | None = None) -> Decision:
        plan = self.dedup.plan(article_id, paragraphs, now, published=published)
        token = occurrence_token(0, len(self.stores[0]), int(now * 1000)) if token is None else token
        answers: dict[bytes, bytes | None] = {}
        for p, probe in probes_for(plan, token, 0, self.partitions).items():
            wire = Probe.from_dict(json.loads(json.dumps(probe.to_dict())))
            values = answer_probe(self.stores[p], wire, window=self.config.window_seconds,
                                  limit=self.config.repeat_articles)
            answers.update(Answer.from_dict(json.loads(json.dumps(Answer(article_id, token, 1, p, values).to_dict())))
                           .values)
            self.messages += 2
        targets = fetch_targets(plan, answers, self.config)
        for p, fetch in fetches_for(plan, token, 0, targets, self.partitions).items():
            wire_fetch = Fetch.from_dict(json.loads(json.dumps(fetch.to_dict())))
            answers.update(answer_fetch(self.stores[p], wire_fetch))
            self.messages += 2
        return decide(plan, view_from([answers]), self.config)


class _Owners:
    """Owner partitions in one process: each a store and the History that answers as of an asking article."""

    def __init__(self, partitions: int = 4, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        self.dedup = Deduplicator(config=self.config)
        self.partitions = partitions
        self.stores: list[dict[bytes, bytes]] = [{} for _ in range(partitions)]
        self.histories = [History() for _ in range(partitions)]


class Batched(_Owners):
    """The stream's batched flow in one process: round one of batch k+1 reaches the owners before round two of
    batch k (batches overlap in flight), so round two must read the owners' History, not their store as it is."""

    def __init__(self, partitions: int = 4, config: DedupConfig | None = None) -> None:
        super().__init__(partitions, config)
        self.fetches = 0

    def round_one(self, name: str, batch: list[tuple[str, list[str], float, int]]) -> list[dict[bytes, bytes | None]]:
        answered: list[dict[bytes, bytes | None]] = [{} for _ in batch]
        plans = [self.dedup.plan(a, ps, now) for a, ps, now, _ in batch]
        for p in range(self.partitions):
            self.histories[p].batch(name)
            for i, (plan, (_, _, _, token)) in enumerate(zip(plans, batch, strict=True)):
                probe = probes_for(plan, token, 0, self.partitions).get(p)
                if probe is not None:
                    self.histories[p].article(name, i)
                    store = self.histories[p].tracked(self.stores[p])
                    answered[i].update(answer_probe(store, probe, window=self.config.window_seconds,
                                                    limit=self.config.repeat_articles))
        return answered

    def round_two(self, name: str, batch: list[tuple[str, list[str], float, int]],
                  answered: list[dict[bytes, bytes | None]]) -> list[list[ParagraphVerdict]]:
        plans = [self.dedup.plan(a, ps, now) for a, ps, now, _ in batch]
        remaining, decided = local_targets(plans, answered, self.config)
        for i, keys in enumerate(remaining):
            for p, fetch in fetches_for(plans[i], batch[i][3], 0, keys, self.partitions).items():
                view = self.histories[p].as_of(self.stores[p], name, i)
                answered[i].update(answer_fetch(view, fetch))
                self.fetches += 1
        out = [decide(plan, view_from([a]), self.config).verdicts for plan, a in zip(plans, answered, strict=True)]
        assert [d.verdicts for d in decided if d is not None] == [v for v, d in zip(out, decided, strict=True) if d]
        return out


class Racing(_Owners):
    """Batches from different partitions in flight at once: each owner partition handles their probe messages in
    an order of its own (random), then every batch fetches what it misses (as of its articles, from each owner's
    History) and decides. What the stream does when articles arrive on several partitions at the same moment."""

    def __init__(self, partitions: int = 4, config: DedupConfig | None = None) -> None:
        super().__init__(partitions, config)
        self.tokens = 0

    def run(self, batches: Sequence[Sequence[tuple[str, Sequence[str], float, float | None]]],
            rng: random.Random) -> list[list[tuple[str, Decision]]]:
        """Each batch: (article id, paragraphs, record time, publication time or None), sorted by time key as the
        agent does; returns each batch's (article id, decision), in that order."""
        plans = [sorted((self.dedup.plan(a, ps, now, published=pub) for a, ps, now, pub in batch), key=_key)
                 for batch in batches]
        tokens = [[self._token() for _ in batch] for batch in plans]
        answered: list[list[dict[bytes, bytes | None]]] = [[{} for _ in batch] for batch in plans]
        window, limit = self.config.window_seconds, self.config.repeat_articles
        for p in range(self.partitions):
            order = list(range(len(plans)))
            rng.shuffle(order)
            for b in order:
                self.histories[p].batch(f"b{b}")
                for i, plan in enumerate(plans[b]):
                    probe = probes_for(plan, tokens[b][i], 0, self.partitions).get(p)
                    if probe is not None:
                        self.histories[p].article(f"b{b}", i)
                        store = self.histories[p].tracked(self.stores[p])
                        answered[b][i].update(answer_probe(store, probe, window=window, limit=limit))
        out: list[list[tuple[str, Decision]]] = []
        for b, batch in enumerate(plans):
            remaining, _ = local_targets(batch, answered[b], self.config)
            for i, keys in enumerate(remaining):
                for p, fetch in fetches_for(batch[i], tokens[b][i], 0, keys, self.partitions).items():
                    view = self.histories[p].as_of(self.stores[p], f"b{b}", i)
                    answered[b][i].update(answer_fetch(view, fetch))
            out.append([(plan.article_id, decide(plan, view_from([a]), self.config))
                        for plan, a in zip(batch, answered[b], strict=True)])
        return out

    def _token(self) -> int:
        self.tokens += 1
        return occurrence_token(0, self.tokens, 0)


def _key(plan: ArticlePlan) -> tuple[int, int, str]:
    return plan.key
