"""The platform's own labelled texts as training rows: what moderators told Warden through
Akismet's ``submit-spam`` / ``submit-ham`` (the ``feedback`` table), for
``warden models build --feedback``."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from warden.detect.corpora import Row
from warden.detect.standard import FEEDBACK
from warden.store.engine import read_only
from warden.store.schema import FeedbackRow


def feedback_rows(engine: Engine) -> list[Row]:
    """Every stored feedback text, oldest first, as a training row (never held out: the
    held-out figures stay those of the shared datasets)."""
    with Session(read_only(engine)) as session, session.begin():
        stored = session.execute(
            select(FeedbackRow.id, FeedbackRow.label, FeedbackRow.text).order_by(FeedbackRow.id)
        ).all()
    return [
        Row(FEEDBACK, f"feedback#{row_id}", label, text, False) for row_id, label, text in stored
    ]
