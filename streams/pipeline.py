"""The three stages as plain functions over dicts: the agents and `warta enrich` share them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from streams.article import Article, parse_published
from streams.dedup import Correction, Deduplicator, ParagraphVerdict
from streams.lang import guess_language
from streams.tagging import Tagger, tag
from streams.timing import Clock, event_time, extract, infer_published, zone_for_source

__all__ = [
    "Clock",
    "dedup_stage",
    "deduped_doc",
    "enrich_one",
    "iso",
    "published_time",
    "skipped",
    "tag_stage",
    "time_stage",
]


DEDUPED = "warta.deduped-article/v1"
TAGGED = "warta.tagged-article/v1"
ENRICHED = "warta.enriched-article/v1"
EVENT = "warta.event/v1"
DUPLICATE = "warta.duplicate/v1"


def iso(ts: float) -> str:
    """Epoch seconds to ISO 8601 in UTC with milliseconds."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def skipped(doc: dict[str, Any]) -> frozenset[int]:
    """Paragraphs flagged duplicate or boilerplate: they yield no new entity or event."""
    return frozenset(p["index"] for p in doc["paragraphs"] if p["duplicate"] is not None)


def boilerplate(doc: dict[str, Any]) -> frozenset[int]:
    """Paragraphs that are not part of the story at all (links, adverts, credits)."""
    return frozenset(
        p["index"] for p in doc["paragraphs"] if p["duplicate"] is not None and p["duplicate"]["kind"] == "boilerplate"
    )


def published_time(article: Article) -> float | None:
    """The article's publication time in epoch seconds (a time without zone is in its source's zone), or None."""
    if not article.published_at:
        return None
    published = parse_published(article.published_at)
    if published.tzinfo is None:
        published = published.replace(tzinfo=zone_for_source(article.source, article.language))
    return published.timestamp()


def dedup_stage(
    article: Article, dedup: Deduplicator, *, record_time: float, clock: Clock
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Flag duplicate and boilerplate paragraphs; returns the staged article and its audit records.

    The audit records include corrections: paragraphs of articles decided earlier that repeat this one, which
    is earlier by publication time (docs/dedup.md).
    """
    # Times are the article's own (publication, record time), so a replay gives the same flags as the first run.
    decision = dedup.process_article(article.id, article.paragraphs, record_time, published=published_time(article))
    return deduped_doc(article, decision.verdicts, record_time=record_time, clock=clock,
                       corrections=decision.corrections)


def deduped_doc(
    article: Article,
    verdicts: Sequence[ParagraphVerdict],
    *,
    record_time: float,
    clock: Clock,
    corrections: Sequence[Correction] = (),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The staged article and its audit records from an article's verdicts (the stream decides them routed).

    `corrections` (paragraphs of articles decided earlier that now repeat this one) become audit records with
    ``correction: true``, keyed by the corrected article, and are listed in the article's ``corrections``.
    """
    now = iso(clock())
    paragraphs: list[dict[str, Any]] = [
        {"index": v.index, "text": v.text, "duplicate": None if v.duplicate is None else {
            "kind": v.duplicate.kind,
            "article_id": v.duplicate.article_id,
            "index": v.duplicate.index,
            "similarity": round(v.duplicate.similarity, 4),
        }}
        for v in verdicts
    ]
    doc: dict[str, Any] = {
        "schema": DEDUPED,
        "id": article.id,
        "url": article.url,
        "source": article.source,
        "language": article.language or guess_language(article.paragraphs),
        "title": article.title,
        "published_at": article.published_at,
        "ingested_at": iso(record_time),
        "stage_times": {"dedup": now},
        "paragraphs": paragraphs,
        "text": "\n".join(v.clean_text for v in verdicts if v.duplicate is None and v.clean_text),
    }
    audits = [
        {
            "schema": DUPLICATE,
            "article_id": article.id,
            "index": p["index"],
            "text": p["text"],
            "kind": p["duplicate"]["kind"],
            "first_article_id": p["duplicate"]["article_id"],
            "first_index": p["duplicate"]["index"],
            "similarity": p["duplicate"]["similarity"],
            "detected_at": now,
        }
        for p in paragraphs
        if p["duplicate"] is not None
    ]
    if corrections:
        doc["corrections"] = [c.to_dict() for c in corrections]
        audits.extend(
            {
                "schema": DUPLICATE,
                "article_id": c.article_id,
                "index": c.index,
                # The corrected paragraph is not at hand: this is the one it repeats (or resembles).
                "text": verdicts[c.duplicate.index].text if c.duplicate.index is not None else "",
                "kind": c.duplicate.kind,
                "first_article_id": c.duplicate.article_id,
                "first_index": c.duplicate.index,
                "similarity": round(c.duplicate.similarity, 4),
                "detected_at": now,
                "correction": True,
            }
            for c in corrections
        )
    return doc, audits


def tag_stage(doc: dict[str, Any], *, clock: Clock, tagger: Tagger | None = None) -> dict[str, Any]:
    """Attach entities and events (their time is filled by the time stage); `tagger` defaults to the rules."""
    texts = [p["text"] for p in doc["paragraphs"]]
    tag_one = tag if tagger is None else tagger.tag
    result = tag_one(texts, article_id=doc["id"], language=doc["language"], skip=skipped(doc))
    out = dict(doc)
    out["schema"] = TAGGED
    out["entities"] = [e.to_dict() for e in result.entities]
    out["events"] = [e.to_dict() for e in result.events]
    out["stage_times"] = {**doc["stage_times"], "tag": iso(clock())}
    return out


def time_stage(doc: dict[str, Any], *, clock: Clock) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Resolve the publication date, every time expression and each event's time."""
    texts = [p["text"] for p in doc["paragraphs"]]
    # A repeated paragraph is still this article's text (a republished lead carries its dateline and
    # dates); only boilerplate is foreign to the story, so only it is left out of the times.
    skip = boilerplate(doc)
    zone = zone_for_source(doc.get("source"), doc["language"])
    if doc.get("published_at"):
        published = parse_published(doc["published_at"])
        if published.tzinfo is None:
            published = published.replace(tzinfo=zone)
        source = "metadata"
    else:
        kept = [t if i not in skip else "" for i, t in enumerate(texts)]
        # "Now" for the future-date guard is when the record arrived: a replay of an old archive decides the same.
        arrived = datetime.fromisoformat(doc["ingested_at"]).timestamp()
        inferred = infer_published(kept, language=doc["language"], zone=zone, clock=lambda: arrived)
        if inferred is not None:
            published, source = inferred, "text"
        else:
            # Last resort: the time the record reached Kafka, in the source's zone.
            published = datetime.fromisoformat(doc["ingested_at"]).astimezone(zone)
            source = "ingest"
    expressions = extract(texts, published=published, language=doc["language"], zone=zone, skip=skip)
    events = []
    for ev in doc.get("events", []):
        t = event_time(
            expressions,
            paragraph=ev["paragraph"],
            sentence=(ev["sentence_span"][0], ev["sentence_span"][1]),
            trigger=(ev["trigger_span"][0], ev["trigger_span"][1]),
            published=published,
            zone=zone,
        )
        events.append({**ev, "time": None if t is None else t.to_dict()})
    processed = iso(clock())
    out = dict(doc)
    out.update(
        schema=ENRICHED,
        published_at=published.isoformat(),
        published_at_source=source,
        timestamps=[x.to_dict() for x in expressions],
        events=events,
        processed_at=processed,
        stage_times={**doc["stage_times"], "time": processed},
    )
    event_records = [
        {
            "schema": EVENT,
            "article_id": doc["id"],
            "source": doc.get("source"),
            "language": doc["language"],
            "url": doc.get("url"),
            "published_at": out["published_at"],
            **ev,
        }
        for ev in events
    ]
    return out, event_records


def enrich_one(
    article: Article, dedup: Deduplicator, *, record_time: float, clock: Clock, tagger: Tagger | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """All three stages in one call: (enriched article, events, duplicate audits)."""
    doc, audits = dedup_stage(article, dedup, record_time=record_time, clock=clock)
    enriched, events = time_stage(tag_stage(doc, clock=clock, tagger=tagger), clock=clock)
    return enriched, events, audits

