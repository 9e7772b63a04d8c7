"""The recall page names each member's zone in the reader's language (issue 8, item 13)."""

from django.urls import reverse

from tongxin.sampling.models import Recall, RecallMember

from .test_recall_members_shown_are_audited import _positive_pool


def test_zone_names_on_the_recall_page_are_translated(world, upload, client):
    _positive_pool(world, upload)
    recall = Recall.objects.get()
    RecallMember.objects.filter(recall=recall).update(zone_name="封控区")
    client.force_login(world.users["command"])
    url = reverse("sampling:recall", args=[recall.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sealed zone" in english and "封控区" not in english
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "封控区" in chinese
