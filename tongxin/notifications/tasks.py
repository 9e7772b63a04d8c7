from django_tasks import task

from tongxin.notifications import services


@task()
def deliver(delivery_id: int) -> str:
    """Background: one attempt at a queued SMS or robot delivery (retries come from the sweep)."""
    delivery = services.attempt_delivery(delivery_id)
    return delivery.status if delivery is not None else "not due"
