"""The isolation app's business rules. Views, the API, commands and the demo call these.

rules          the edition's isolation rules for a level (never constants)
sites          sites, rooms and their status history, the occupancy board
transfer_list  entries by hand, from risk-area arrivals and from tracing; households; needs
batches        batches, the escort's check-ins, contact logs, escalation, receipt, closing
allocation     rooms for a batch (automatic, with manual override)
stays          intake, end dates, in-site tests, health checks, release and its notice
home           home isolation and home health monitoring on the grid's list
"""


class IsolationError(ValueError):
    """A rule refused the action; the message is for the person who tried it."""


class NotAllowed(IsolationError):
    pass
