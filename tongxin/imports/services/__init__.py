"""The residents import and export. Views, the API, commands and the demo call these."""

from tongxin.imports.readers import CANONICAL_COLUMNS, ImportFileError
from tongxin.imports.services.engine import (
    REASONS,
    ImportResult,
    RowProblem,
    import_records,
    import_residents,
    masked_values,
)
from tongxin.imports.services.export import (
    EXPORT_FORMATS,
    AreaNotFound,
    export_residents,
    find_area,
)
from tongxin.imports.services.jobs import (
    confirm_import_job,
    fail_stale_jobs,
    open_errors_file,
    start_import_job,
)
from tongxin.imports.services.problems import write_problems_xlsx

__all__ = [
    "CANONICAL_COLUMNS",
    "EXPORT_FORMATS",
    "REASONS",
    "AreaNotFound",
    "ImportFileError",
    "ImportResult",
    "RowProblem",
    "confirm_import_job",
    "export_residents",
    "fail_stale_jobs",
    "find_area",
    "import_records",
    "import_residents",
    "masked_values",
    "open_errors_file",
    "start_import_job",
    "write_problems_xlsx",
]
