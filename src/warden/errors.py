"""Warden's exceptions: one small tree, so callers catch what they can handle.

::

    WardenError
    ├── LexiconError        a lexicon file or catalog is malformed (names file, line, problem)
    ├── InputError          a record or argument is not what was expected (names field, value)
    │   └── MediaError      a picture cannot be read: too big, corrupt, not allowed (names the
    │                       picture and the limit; screening reports it and goes on)
    ├── ModelError          a model file is corrupt or foreign, or training data cannot train
    └── ConfigError         settings or environment cannot be used

Every message names the thing that is wrong, the value found and what was expected.
"""

from __future__ import annotations


class WardenError(Exception):
    """Base of every error Warden raises on purpose."""


class LexiconError(WardenError):
    """A lexicon file, lexicon spec or catalog cannot be read."""


class InputError(WardenError):
    """An input record or argument is malformed."""


class MediaError(InputError):
    """A picture cannot be read; the message names the picture and the limit or defect."""


class ModelError(WardenError):
    """A model file cannot be used, or data cannot train a model."""


class ConfigError(WardenError):
    """Settings or the environment cannot be used as given."""
