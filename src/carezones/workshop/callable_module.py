"""``carezones.workshop(...)``: the workshop subpackage, callable as :func:`workshop`.

Importing this module (the package's ``__init__`` does) gives the package module a class
with ``__call__``, so ``carezones.workshop`` is both the subpackage (``from
carezones.workshop import Session``) and the function the issue asks for
(``carezones.workshop(net, clients)``).
"""

from __future__ import annotations

import sys
import types
from typing import Any

from carezones.workshop.server import Workshop, workshop

__all__ = ["CallableModule"]


class CallableModule(types.ModuleType):
    """A module that, called, starts a workshop (:func:`~carezones.workshop.workshop`)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Workshop:
        """Start a workshop: the arguments are :func:`~carezones.workshop.workshop`'s."""
        return workshop(*args, **kwargs)


sys.modules[__name__.rpartition(".")[0]].__class__ = CallableModule
