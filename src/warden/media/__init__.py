"""Pictures: what an abuser puts in an image, made visible to screening.

One concept per module, with :mod:`warden.media.scan` the hub that calls them in turn:

* :mod:`~warden.media.fetch` — an event's :class:`~warden.domain.events.MediaRef` to bytes
  (inline base64, a file under the allowed roots, an http(s) URL on an allowed host), with
  size limits and a timeout;
* :mod:`~warden.media.images` — bytes to pixels, refusing corrupt files and decompression
  bombs (a pixel limit checked before anything is decoded);
* :mod:`~warden.media.qr` — every QR code and barcode in a picture (zxing-cpp), and
  :mod:`~warden.media.payloads` — what a code's payload says (a WeChat contact, a Telegram
  group, a phone number) as entities;
* :mod:`~warden.media.ocr` — text in a picture (Tesseract, Simplified Chinese + English),
  word by word with its box;
* :mod:`~warden.media.pdq` — Meta's PDQ perceptual hash, :mod:`~warden.media.index` — a
  multi-index hash table that finds every hash within a Hamming distance among millions,
  and :mod:`~warden.media.banks` — hash banks and their exchange formats (ThreatExchange,
  HMA).

Bad input never raises out of here: a picture that cannot be read becomes a verdict whose
``media.problem`` names the picture and the limit, and the rest of the event is screened.
"""
