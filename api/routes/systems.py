"""``/systems``: IT systems, the forces that use them, and the findings and practices naming them."""

from __future__ import annotations

from api.routes.most_shared import SYSTEMS, shared_router

router = shared_router(SYSTEMS)
