"""The console's pure parts: marking matched spans, the QA draw, the ring picture."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from warden.console.casefile import Segment, segments
from warden.console.graph import ring_svg
from warden.console.qa import drawn
from warden.domain.rings import Ring, RingLink


def test_spans_mark_the_text_as_written_and_overlaps_merge() -> None:
    text = "加薇信：mm_love520 包夜"
    marked = segments(text, [(0, 3, "sexual_services: 加微信"), (4, 14, "chat_handle: mm_love520"),
                             (12, 14, "x: 20"), (15, 17, "sexual_services: 包夜")])  # fmt: skip
    assert [s.text for s in marked if s.marked] == ["加薇信", "mm_love520", "包夜"]
    assert marked[2] == Segment("mm_love520", True, "chat_handle: mm_love520, x: 20")
    assert "".join(s.text for s in marked) == text


@given(
    st.text(max_size=40),
    st.lists(
        st.tuples(st.integers(-5, 50), st.integers(-5, 50), st.sampled_from("ab")), max_size=8
    ),
)
def test_segments_never_lose_or_invent_text(text: str, spans: list[tuple[int, int, str]]) -> None:
    """Whatever the spans (overlapping, reversed, out of range), the text comes back whole."""
    assert "".join(s.text for s in segments(text, spans)) == text


def test_the_qa_draw_is_stable_and_near_its_share() -> None:
    share = 0.1
    picked = [case for case in range(1, 20_001) if drawn(case, share)]
    assert 0.09 < len(picked) / 20_000 < 0.11
    assert picked == [case for case in range(1, 20_001) if drawn(case, share)]
    assert not any(drawn(case, 0.0) for case in range(1000))
    assert all(drawn(case, 1.0) for case in range(1000))


def test_the_ring_picture_escapes_what_it_names() -> None:
    members = ("<script>a</script>", "b")
    ring = Ring(
        "ring-1", members, ('chat_handle:"><img onerror=x>',), 0.5, datetime.now(UTC), "s",
        tuple(RingLink(m, 'chat_handle:"><img onerror=x>', ("e",), 2) for m in members),
    )  # fmt: skip
    picture = ring_svg(ring)
    assert picture.startswith("<svg")
    assert picture.endswith("</svg>")
    assert "<script>" not in picture
    assert "<img" not in picture
    assert picture.count("<circle") == 2
    assert picture.count("<line") == 2


def test_ages_read_as_a_reviewer_reads_them() -> None:
    from datetime import timedelta

    from warden.console.web import age

    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert age(now - timedelta(days=3, hours=4, minutes=5), now) == "3d 4h"
    assert age(now - timedelta(hours=5, minutes=12), now) == "5h 12m"
    assert age(now - timedelta(minutes=40), now) == "40m"
    assert age(now + timedelta(minutes=1), now) == "0m"
