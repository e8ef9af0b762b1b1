"""``/units``: unit types (DPMU, CAIU…) with the forces that have one."""

from __future__ import annotations

from api.routes.most_shared import UNIT_TYPES, shared_router

router = shared_router(UNIT_TYPES)
