"""A file-type icon is no picture kept (round 10 trial item 1): a page that is only a file's name beside its
CMS's pdf.gif/icon_doc.gif (zjgztb's eWebEditor sysimage/icon16, lgedu's hotlinked UEditor fileTypeImages) is held,
as the same page without the icon was; decoration is told by its size, its address or its place beside a file's
link or name, and a real picture — however it is named or placed — still keeps a page live."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from consolidate.holds import EMPTY_BODY, bare, content_images, published_hold_reason

NAME = "流标公告--新建320517211601号地块住宅用房（安置房）项目配电物资采购.pdf"
TITLE = "流标公告--新建320517211601号地块住宅用房（安置房）项目配电物资采购"


def _article(body_html: str, text: str = NAME, attachments: int = 1) -> SimpleNamespace:
    """A record whose body is `body_html` (text `text`) with `attachments` files the crawl holds no bytes of."""
    return SimpleNamespace(title=TITLE, body_text=text, body_html=body_html,
                           attachments=[{"url": None, "name": NAME}] * attachments)


@pytest.mark.parametrize("published", [
    # zjgztb as crawled (eWebEditor's icon16, the link a javascript: one) and as the static portal published it
    f'<div><img border="0" src="../../../TPFrame/eWebEditor/sysimage/icon16/pdf.gif"><a href="javascript:;">{NAME}'
    "</a></div>",
    f'<div><img src="../../files/49/498d011878d09854/pdf.gif">{NAME}</div>',
    # lgedu: UEditor's icon hotlinked from another server
    '<p><img style="" src="http://www.pds.gov.cn/sitefiles/assets/ueditor/dialogs/attachment/fileTypeImages/'
    f'icon_doc.gif"><span>{NAME}</span></p>',
    # another CMS: a plain image right before the file's name, a sized icon, a spacer and a loading gif
    f'<p><img src="/images/f1.png">{NAME}</p>',
    f'<p><img src="/img/x1.png" width="16" height="16"> {NAME}</p>',
    f'<p><img src="/skin/s.gif" style="width:1px;height:1px"><img src="/js/loading.gif">{NAME}</p>',
])
def test_a_file_name_beside_an_icon_is_held(published: str) -> None:
    reason = published_hold_reason(_article(published), published, 0)
    assert content_images(published) == 0
    assert reason is not None and reason.startswith(EMPTY_BODY) and "only a file name left" in reason, reason


def test_an_image_inside_a_files_link_is_its_icon() -> None:
    assert content_images(f'<p><a href="/up/2021/a.pdf"><img src="/images/f1.png">{NAME}</a></p>') == 0
    assert content_images(f'<p><a href="/down.jsp?id=3"><img src="/images/f1.png"></a> <a href="/down.jsp?id=3">'
                          f'{NAME}</a></p>') == 0


def test_the_same_page_without_its_icon_was_held_already() -> None:
    published = f"<div>{NAME}</div>"
    assert published_hold_reason(_article(published), published, 0) is not None


@pytest.mark.parametrize("published", [
    '<p><img src="/uploads/2021/0111/photo.jpg"></p>',  # a picture however plain
    '<p><img src="/icon/banner.jpg" width="800"></p>',  # a declared size above 32 px keeps it, whatever its path
    '<p><a href="/up/big.jpg"><img src="/up/small.jpg"></a></p>',  # a thumbnail linked to its large image
    '<p><img src="/up/scan1.png"></p><p>见附件</p>',  # a scan before a short note
])
def test_a_real_picture_keeps_the_page_live(published: str) -> None:
    assert content_images(published) == 1
    assert published_hold_reason(_article(published, text="见附件"), published, 0) is None


def test_a_picture_page_with_its_file_kept_is_not_bare() -> None:
    """A carried file is something to read: an icon beside it holds nothing back."""
    published = f'<p><img src="/images/icon_pdf.gif"><a href="/files/a.pdf">{NAME}</a></p>'
    assert not bare(NAME, published, 1, title=TITLE, names=[NAME])
