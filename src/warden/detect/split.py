"""Which labelled rows are kept back from training: one rule shared by training and benchmarks.

The standard detectors (``warden models build``) train on every shared dataset *except* the
rows this module holds out; the benchmarks that build platforms from real messages
(``bench/accounts.py``) and measure the detectors (``bench/quality.py``) use only held-out
rows. Where a dataset publishes its own split (the fine-grained spam set's ``val.csv``, COLD's
``dev.csv``) that split is the held-out part; elsewhere a stable hash of the text decides, so
the same sentence is on the same side on every machine, in every process and for every
dataset that happens to contain it (``cn_spam_sms`` and ``cn_spam_categories`` overlap).

    >>> held_out("您好，我是办理无抵押信用贷款的李丹")
    False
"""

from __future__ import annotations

import zlib

#: One row in ``HELD_OUT_MODULUS`` is held out (20%).
HELD_OUT_MODULUS = 5


def text_key(text: str) -> str:
    """The form of a text its side is decided on: stripped, inner whitespace collapsed."""
    return " ".join(text.split())


def held_out(text: str) -> bool:
    """True when ``text`` belongs to the held-out fifth (CRC-32 of its key, modulo 5)."""
    return zlib.crc32(text_key(text).encode("utf-8")) % HELD_OUT_MODULUS == 0
