"""Print Warta's events as a service would handle them: in a consumer group, each committed once handled.

    python examples/consume_events.py                      # the group "example-printer", until Ctrl-C
    python examples/consume_events.py --group mine --type ASSAULT --idle 10

Uses KAFKA_BOOTSTRAP_SERVERS (else the broker of `warta kafka start`) and WARTA_TOPIC_PREFIX (default `warta.`).
Run it twice: the second run prints only what arrived since, because the first committed what it printed.
"""

from __future__ import annotations

import argparse

from streams.consume import Actor, Event, events


def describe(event: Event) -> str:
    """One line per event: type, who did it to whom, where, when, and the article it comes from."""

    def who(actors: list[Actor]) -> str:
        return ",".join(a["country"] or a["name"] or "?" for a in actors) or "-"

    place = event["location"]["name"] if event["location"] else "-"
    when = event["time"]["value"] if event["time"] else "-"
    return (f"{event['type']:<9} {who(event['actors'])} -> {who(event['recipients'])}  {place}  {when}  "
            f"{event['modality']}  {event.get('source') or '-'} {event['article_id']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", default="example-printer", help="consumer group (default: example-printer)")
    parser.add_argument("--type", action="append", help="only events of this PLOVER type (repeatable)")
    parser.add_argument("--idle", type=float, help="stop after this many seconds without an event")
    args = parser.parse_args()
    with events(group=args.group, idle_timeout=args.idle) as stream:
        for event in stream:
            if args.type and event["type"] not in args.type:
                continue  # not ours: still handled, so still committed
            print(describe(event), flush=True)
        # Leaving the block commits the last event; an exception inside it would leave that one for a re-read.


if __name__ == "__main__":
    main()
