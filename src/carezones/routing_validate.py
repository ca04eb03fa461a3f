"""An independent check of any care plan (ours or a rota a user brings) against every rule.

The public path of :mod:`carezones.routing.validate`, where the code lives.
"""

from carezones.routing.validate import RULES, validate_plan

__all__ = ["RULES", "validate_plan"]
