"""Statistics: the figures of the annual report (DESIGN §5), item analysis, exports and the report.

Only reads tables; nothing else imports this package. Each figure is one SQL aggregate: the Python
here builds statements and shapes their rows, it never loops over attempts or answers."""
