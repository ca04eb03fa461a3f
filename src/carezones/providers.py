"""Provider lots: neighbourhood zones grouped into contracts that each carry sustainable hours.

The public path of :mod:`carezones.zoning.providers`, where the code lives.
"""

from carezones.zoning.providers import ProviderLots, provider_lots

__all__ = ["ProviderLots", "provider_lots"]
