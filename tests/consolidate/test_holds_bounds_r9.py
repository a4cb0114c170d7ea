"""The lost-content hold's edges: a page is held when it lost most of its pictures, or every file while it shows
no picture; a photo page that keeps its photos, or keeps as many pictures as it lost, goes live."""

from __future__ import annotations

from types import SimpleNamespace

from consolidate.holds import EMPTY_BODY, published_hold_reason


def _img(name: str) -> str:
    return f'<p><img src="/up/{name}.jpg" alt=""></p>'


def _reason(kept: int, lost: int, caption: str = "3月12日活动", files: int = 0) -> str | None:
    """The hold reason of a page of `kept + lost` pictures and `files` attachments, none carried, as published."""
    pictures = [_img(f"p{i}") for i in range(kept + lost)]
    article = SimpleNamespace(title="机关活动图片", body_text=caption, body_html="".join(pictures) + f"<p>{caption}</p>",
                              attachments=[{"url": "", "name": f"表{i}.doc"} for i in range(files)])
    return published_hold_reason(article, "".join(pictures[:kept]) + f"<p>{caption}</p>", 0)


def test_a_page_that_lost_most_of_its_pictures_is_held() -> None:
    reason = _reason(kept=1, lost=5)
    assert reason is not None and reason.startswith(EMPTY_BODY) and "5 of 6 images" in reason


def test_a_page_that_keeps_as_many_pictures_as_it_lost_goes_live() -> None:
    assert _reason(kept=2, lost=2) is None


def test_a_photo_page_whose_form_had_no_address_keeps_its_photos_live() -> None:
    assert _reason(kept=5, lost=0, files=1) is None


def test_a_page_that_lost_every_file_and_shows_no_picture_is_held() -> None:
    reason = _reason(kept=0, lost=0, caption="申请表见附件", files=1)
    assert reason is not None and "its attachment" in reason
