"""The Relatórios view (issue 14): the five reports of ``app.services.reports``, each a table and
a chart, for a month, a quarter, a year or any run of months."""
