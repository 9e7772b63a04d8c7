"""Background tasks of sampling (django-tasks). The work is in services."""

from django_tasks import task


@task()
def recount_coverage(round_id: int) -> None:
    """Recount a round's expected residents and reconcile its coverage tallies."""
    from tongxin.sampling.services.coverage import recount
    from tongxin.testing.models import TestRound

    test_round = TestRound.objects.filter(pk=round_id).first()
    if test_round is not None:
        recount(test_round)
