"""The search behind :func:`carezones.routing.solve`: exact schedules, the solution state, repair.

:mod:`~carezones.routing.search.schedule` evaluates carers' days exactly (windows, shifts,
breaks, double-handed synchrony); :mod:`~carezones.routing.search.state` holds a solution
and evaluates it incrementally; :mod:`~carezones.routing.search.moves` prices small moves
between carers (relocate, swap, 2-opt*); :mod:`~carezones.routing.search.repair` inserts
visits and improves a solution by ruin and recreate and those moves, under simulated
annealing.
"""
