"""Curated learning pathways: the JSON file format, its checks, and the delta publish with history."""

from skillforge.pathways.content import DEFAULT_DIR, PathwayContentError, load_directory
from skillforge.pathways.publish import PublishReport, publish, publish_directory, purge_expired_history
from skillforge.pathways.schema import Pathway, PathwayStep, Provider

__all__ = [
    "DEFAULT_DIR",
    "Pathway",
    "PathwayContentError",
    "PathwayStep",
    "Provider",
    "PublishReport",
    "load_directory",
    "publish",
    "publish_directory",
    "purge_expired_history",
]
