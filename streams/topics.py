"""Every topic by logical name, with its partitions and configs."""

from __future__ import annotations

from dataclasses import dataclass

from streams.settings import MAX_MESSAGE_BYTES, Settings

__all__ = ["INTERNAL_TOPICS", "LOGICAL_TOPICS", "MONITORING_TOPICS", "TopicSpec", "topic_specs"]


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic Warta creates: full name, partition count, replication and broker configs."""

    logical: str
    name: str
    partitions: int
    replication: int
    configs: dict[str, str]


# Logical name -> what it carries. Record keys: the article id (the event id on `events`, the story id on
# `stories`).
LOGICAL_TOPICS: dict[str, str] = {
    "articles": "raw input articles (article.v1)",
    "deduped": "articles with duplicate flags (stage-article.v1)",
    "tagged": "articles with entities and events (stage-article.v1)",
    "enriched": "final articles (enriched-article.v1)",
    "events": "one record per event (event.v1)",
    "duplicates": "audit of every flagged paragraph (duplicate.v1)",
    "deadletter": "records that could not be processed, with reason and original bytes (deadletter.v1)",
    "stories": "the latest state of each story, compacted (story.v1)",
}

# The workers' own record of what they did, for dashboards rather than consumers (so not part of the consumers'
# contract in streams/contract.py): every worker writes its windows and status and reads everyone's
# (streams/agents/monitor.py). Created with the public topics. Keys: `window|<start>|<worker>`, `status|<worker>`.
MONITORING_TOPICS: dict[str, str] = {
    "stats": "each worker's per-minute counts and latencies, and its status (stats.v1)",
}

# Topics between the dedup stage's own agents (docs/dedup.md). They need the partition count of `articles`:
# probes go to the partition that owns a key, answers back to the article's partition, and Faust assigns
# partition p of every topic with that count (and of every table's changelog) to the same worker.
# They belong to the workers: `warta worker` creates them before it joins the group (left to Faust, they
# could appear after the group's assignment, leaving their partitions unconsumed until a metadata refresh);
# `topics create` makes only the public ones.
INTERNAL_TOPICS: dict[str, str] = {
    "dedup-probes": "key look-ups and claims, one batch per owner partition; sweep ticks",
    "dedup-answers": "owners' answers, to the article's own partition",
    # The time stage's events on their way to the stories stage, sent to the partition that owns their type
    # family (streams/stories/routing.py); the stories stage publishes them on `events` with their story_id.
    "story-events": "events to link, on the partition of their type family's owner",
}

# Topics that may carry a whole (possibly oversized) article, or its original bytes.
_LARGE = {"articles", "deduped", "tagged", "enriched", "deadletter"}
# `stats` is the dashboards' memory: a key's last record is its window's or worker's whole state (compacted), and
# two hours keep the hour a view shows; segments roll every 10 minutes so old ones can go.
_STATS_CONFIGS = {"cleanup.policy": "compact,delete", "retention.ms": str(2 * 3600 * 1000),
                  "segment.ms": str(600 * 1000)}


# `stories` holds each story's latest record (key: story id): compaction keeps one per story however often it
# changes, and a consumer reading it from the start gets every story's current state.
_STORIES_CONFIGS = {"cleanup.policy": "compact"}


def topic_specs(settings: Settings, *, internal: bool = False) -> list[TopicSpec]:
    """The topics of one deployment (prefix, partitions and replication from settings); with
    ``internal``, the workers' own topics too."""
    specs = []
    for logical in [*LOGICAL_TOPICS, *MONITORING_TOPICS, *(INTERNAL_TOPICS if internal else ())]:
        configs = {"max.message.bytes": str(MAX_MESSAGE_BYTES)} if logical in _LARGE else {}
        if logical == "stats":
            configs = dict(_STATS_CONFIGS)
        elif logical == "stories":
            configs = dict(_STORIES_CONFIGS)
        specs.append(
            TopicSpec(logical, settings.topic(logical), settings.partitions, settings.replication, configs)
        )
    return specs
