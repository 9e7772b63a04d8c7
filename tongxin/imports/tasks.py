"""Background tasks of the import (django-tasks). The work is in services.jobs."""

from django_tasks import task

from tongxin.imports.services import jobs


@task()
def validate_import_job(job_id: int) -> None:
    """Dry-run an uploaded file: status validating → validated, with its preview."""
    jobs.validate_job(job_id)


@task()
def run_import_job(job_id: int) -> None:
    """Import a confirmed file: status running → done or failed, with progress."""
    jobs.run_job(job_id)
