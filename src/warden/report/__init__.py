"""Reports from the store, as JSON for machines and self-contained HTML for people.

* :mod:`warden.report.transparency` — the transparency report's figures
  (:func:`~warden.report.transparency.transparency_figures`), defined in ``docs/report.md``;
* :mod:`warden.report.queries` — the aggregate SQL behind them (SQLite and PostgreSQL);
* :mod:`warden.report.transparency_page` — the transparency report as an HTML page;
* :mod:`warden.report.html` and :mod:`warden.report.charts` — a small reusable toolkit for
  offline HTML reports (page, sections, tables, inline SVG charts), for any report.
"""
