"""Building the sample fleet: three legacy department sites of the fictional city 临江市."""

from __future__ import annotations

from datetime import date

from consolidate.samplefleet.hanweb import build_jyj
from consolidate.samplefleet.mailbox import add_mailbox
from consolidate.samplefleet.model import Fleet
from consolidate.samplefleet.phpcms import build_sfj
from consolidate.samplefleet.trs import build_fgw
from consolidate.samplefleet.weights import check_weight

REFERENCE_DATE = date(2026, 11, 1)


def build_fleet(seed: int = 7, articles_per_site: int | None = None,
                reference_date: date = REFERENCE_DATE, mailbox: bool = False, weight: str = "light") -> Fleet:
    """Deterministic fleet: fgw (TRS, GBK), jyj (Hanweb, UTF-8), sfj (PHPCMS, GB2312).

    articles_per_site: regular articles per site (None: the default mix); planted extras come on top.
    mailbox: also serve each site's mailbox column (samplefleet/mailbox.py), reached by its list URL as a start
    URL (nothing on the legacy pages links to it, so fleets without it keep their figures).
    weight: "light" (the pages as written, ~3 KiB) or "real" (furniture and bodies drawn from the real sample
    sites' page weights, with a tail of 100–400 KiB table pages; samplefleet/weights.py).
    """
    check_weight(weight)
    sites = [build(seed, articles_per_site, reference_date) for build in (build_fgw, build_jyj, build_sfj)]
    for site in sites:
        site.weight = weight
    for site in sites if mailbox else []:
        add_mailbox(site, site.cms)
    keys = sorted({key for site in sites for key in site.planted})
    for site in sites:
        site.planted = {key: list(site.planted.get(key, [])) for key in keys}
    return Fleet(sites=sites, reference_date=reference_date)
