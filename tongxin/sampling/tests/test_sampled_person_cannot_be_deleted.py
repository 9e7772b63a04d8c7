"""The sampling tables' references carry no database constraint (the upload checks them, issue
15): deleting a sampled person or the round through the application is still refused because
of their samples, so no sample is left pointing at nobody."""

import pytest
from django.db.models import ProtectedError

from tongxin.sampling.models import SampledPerson, SampleEvent

from .conftest import event, local


def test_a_sampled_person_and_their_round_are_protected_by_their_samples(world, upload):
    zhang = world.people["s1-101"][0]
    assert upload([event(zhang, "K1", at=local(6, 8))]).stored == 1
    sample = SampleEvent.objects.get()

    with pytest.raises(ProtectedError) as refused:
        zhang.delete()
    assert sample in refused.value.protected_objects
    with pytest.raises(ProtectedError) as refused:
        world.round.delete()
    assert sample in refused.value.protected_objects

    sample.refresh_from_db()
    assert (sample.person, sample.household, sample.round) == (
        zhang,
        zhang.household,
        world.round,
    )
    assert SampledPerson.objects.filter(person=zhang, round=world.round).exists()
