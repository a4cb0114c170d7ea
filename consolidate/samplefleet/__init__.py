"""Sample legacy fleet: deterministic legacy department sites of the fictional city 临江市, served on 127.0.0.1.

    fleet = build_fleet(seed=7)                 # fgw (TRS, GBK), jyj (Hanweb, UTF-8), sfj (PHPCMS, GB2312)
    with FleetServer(fleet) as server:          # one ThreadingHTTPServer per site, free ports
        base = server.urls["fgw"]               # "http://127.0.0.1:PORT/"
        expected = fleet.site("fgw").truth(base)  # exact ArticleRecords an extractor must produce

Every site's `planted` dict has the same keys (lists of absolute paths, possibly empty): dead_links,
spam_pages, charset_conflict, undated, multipage, foreign_script, date_conflict, republished (new, original),
gbk_only_chars, short_dates, hidden_menus (benign display:none menus), cdata_debris, onclick_attachment,
empty_columns, stale_columns.
"""

from consolidate.samplefleet.fleet import REFERENCE_DATE, build_fleet
from consolidate.samplefleet.model import Fleet, SampleColumn, SamplePage, SampleSite
from consolidate.samplefleet.server import FleetServer

__all__ = ["REFERENCE_DATE", "Fleet", "FleetServer", "SampleColumn", "SamplePage", "SampleSite", "build_fleet"]
