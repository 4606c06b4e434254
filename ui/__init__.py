"""Portfolio's desktop workspace (Qt): presentation only, standing on the ``portfolio`` core.

Everything a person sees is here; every rule, query and change is in the core. Views ask
the core for rows (``portfolio.queries``), figures (``portfolio.analytics``) and changes
(``portfolio.editing``) and only decide how to show them.
"""
