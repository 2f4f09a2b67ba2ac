"""``regionopt serve``: the map page with the optimiser behind it, beside ``cli`` at the top.

One module per responsibility: :mod:`~regionopt.server.app` (the routes),
:mod:`~regionopt.server.security` (token, Host and Origin, bounded bodies),
:mod:`~regionopt.server.locks` (locks and knobs written as scenario rules),
:mod:`~regionopt.server.jobs` and :mod:`~regionopt.server.worker` (solves in worker
processes, the queue, cancel), :mod:`~regionopt.server.session` (the plan on screen, its
history, the price's optima), :mod:`~regionopt.server.figures` (the figures compared),
:mod:`~regionopt.server.workspace` (saved plans), :mod:`~regionopt.server.page` (the page
``solve`` writes, with the tools of ``tools.js``), :mod:`~regionopt.server.errors`.
May import every stage; only ``regionopt.cli.serve`` imports it.
"""

__all__: list[str] = []
