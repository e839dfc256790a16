"""Where events happen: an offline gazetteer that turns place names into coordinates (knows nothing of Kafka)."""

from streams.geo.gazetteer import Gazetteer, Spot, gazetteer, normalize

__all__ = ["Gazetteer", "Spot", "gazetteer", "normalize"]
