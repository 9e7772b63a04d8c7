from django_tasks import task

from tongxin.testing.services import reminders


@task()
def send_household_sms(round_id: int, slot_id: int, household_ids: list[int]) -> int:
    """Background: reminder SMS to a slot's households."""
    return reminders.deliver_household_sms(round_id, slot_id, household_ids)
