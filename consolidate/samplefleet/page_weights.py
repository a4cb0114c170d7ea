"""Page weights of the real sample sites, written by bench/page_weights.py --write (do not edit by hand)."""

# ruff: noqa: E501
PAGE_WEIGHTS = {
 "source": "bench/page_weights.py over ../shared/samples (six restored sites)",
 "percentiles": [
  "p10",
  "p25",
  "p50",
  "p75",
  "p90",
  "p95",
  "p99",
  "p100"
 ],
 "article": {
  "pages": 900,
  "by_site": {
   "fjmjzz": 76,
   "hncic": 150,
   "jspn": 119,
   "lgedu": 210,
   "pmodlh": 189,
   "zjgztb": 156
  },
  "html_bytes": [
   5653,
   11238,
   16960,
   31736,
   42755,
   70314,
   204244,
   410830
  ],
  "html_bytes_mean": 26661,
  "text_bytes": [
   664,
   1179,
   2251,
   5658,
   11367,
   20634,
   34048,
   62816
  ],
  "text_bytes_mean": 4903,
  "links": [
   5,
   16,
   32,
   59,
   164,
   173,
   174,
   214
  ],
  "links_mean": 49,
  "script_bytes": [
   0,
   0,
   1740,
   4977,
   6691,
   6695,
   8790,
   8791
  ],
  "script_bytes_mean": 2312,
  "table_rows": [
   0,
   0,
   1,
   26,
   44,
   44,
   65,
   200
  ],
  "table_rows_mean": 12,
  "table_tail": {
   "share": 0.0133,
   "pages": 12,
   "html_bytes": [
    119285,
    410830
   ],
   "table_rows": [
    31,
    200
   ]
  }
 },
 "list": {
  "pages": 639,
  "by_site": {
   "fjmjzz": 177,
   "hncic": 92,
   "jspn": 20,
   "lgedu": 231,
   "pmodlh": 59,
   "zjgztb": 60
  },
  "html_bytes": [
   8001,
   10785,
   15834,
   24028,
   32998,
   40595,
   66788,
   197981
  ],
  "html_bytes_mean": 19337,
  "text_bytes": [
   1015,
   1641,
   2582,
   3394,
   5652,
   6622,
   10514,
   29114
  ],
  "text_bytes_mean": 2898,
  "links": [
   21,
   42,
   63,
   85,
   177,
   183,
   269,
   504
  ],
  "links_mean": 77,
  "script_bytes": [
   0,
   0,
   1728,
   2898,
   2982,
   5093,
   6201,
   16338
  ],
  "script_bytes_mean": 1772,
  "table_rows": [
   0,
   0,
   0,
   1,
   25,
   43,
   78,
   190
  ],
  "table_rows_mean": 8,
  "table_tail": {
   "share": 0.0031,
   "pages": 2,
   "html_bytes": [
    138614,
    197981
   ],
   "table_rows": [
    43,
    190
   ]
  }
 }
}
