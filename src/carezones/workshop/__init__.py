"""The co-production workshop: redraw zones live with providers, in the browser.

``carezones workshop --network FILE --clients FILE`` (or :func:`workshop` from Python)
starts a small local web app on 127.0.0.1: the zones on the walking network, coloured by
provider lot; click or lasso street units to move them to another zone; lock and unlock
zones; redraw the unlocked rest with the zoner; undo and redo; split and merge; and beside
the map, after every move, each zone's hours against the floor, its pieces on the walking
network, the walk to its centre, the share within 15 minutes, the lots against the
provider minimum, estimated travel per hour of care and rate, and every rule broken.
Save writes the files ``carezones zones`` writes, and a scenario TOML.

``carezones.workshop(...)`` is :func:`workshop`: the subpackage is callable.

It works offline (Leaflet is served from the bundled package) and sends no client's
position to the browser: only street geometry and aggregates.
"""

from carezones.workshop import callable_module  # noqa: F401 - makes this package callable
from carezones.workshop.routed import routed_figures
from carezones.workshop.score import Scorer
from carezones.workshop.server import SHARING_NOTE, Workshop, create_app, workshop
from carezones.workshop.session import Plan, Session
from carezones.workshop.store import SavedPlan, load_plan, save_plan

__all__ = [
    "SHARING_NOTE",
    "Plan",
    "SavedPlan",
    "Scorer",
    "Session",
    "Workshop",
    "create_app",
    "load_plan",
    "routed_figures",
    "save_plan",
    "workshop",
]
