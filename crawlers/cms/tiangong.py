"""天工 (Tiangong) government CMS: only its fingerprints are known here; URL shapes fall to generic."""

from crawlers.cms.base import CmsId, Profile

PROFILE = Profile(id=CmsId.TIANGONG, marks=("tiangong", "天工网站", "tgcms"), generator=("tiangong", "天工"))
