"""Sending a quote: the delivery and e-mail rows (``services``, ``selectors``), the tasks'
queue (``enqueue``), the rep's pages (``views``, ``urls``), the API (``api``) and the demo
outbox (``outbox``)."""
